package dev.fsgen.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * The benchmarks' JSON: a figure that does not exist (NaN, an infinite ratio) is written as null,
 * since JSON has no NaN and a strict parser refuses the whole document for one.
 */
public final class Json {
  private Json() {}

  private static final TypeAdapter<Double> FINITE_OR_NULL = new TypeAdapter<>() {
    @Override
    public void write(JsonWriter out, Double v) throws IOException {
      if (v == null || v.isNaN() || v.isInfinite()) out.nullValue();
      else out.value(v);
    }

    @Override
    public Double read(JsonReader in) throws IOException {
      if (in.peek() == com.google.gson.stream.JsonToken.NULL) {
        in.nextNull();
        return Double.NaN;
      }
      return in.nextDouble();
    }
  };

  /** Pretty-printed, nulls written (so a missing figure shows as null, not as an absent key). */
  public static Gson gson() {
    return new GsonBuilder().setPrettyPrinting().serializeNulls()
        .registerTypeAdapter(Double.class, FINITE_OR_NULL).registerTypeAdapter(double.class, FINITE_OR_NULL).create();
  }
}
