package dev.fsgen.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * fsgen's JSON output (every --json and the benchmarks' files): a figure that does not exist (NaN, an
 * infinite ratio) is written as null,
 * since JSON has no NaN and a strict parser refuses the whole document for one.
 */
public final class Json {
  private Json() {}

  /** A number written as itself when finite, as null otherwise; null reads back as NaN. */
  private static <T extends Number> TypeAdapter<T> finiteOrNull(java.util.function.DoubleFunction<T> box) {
    return new TypeAdapter<>() {
      @Override
      public void write(JsonWriter out, T v) throws IOException {
        if (v == null || !Double.isFinite(v.doubleValue())) out.nullValue();
        else out.value(v);
      }

      @Override
      public T read(JsonReader in) throws IOException {
        if (in.peek() == com.google.gson.stream.JsonToken.NULL) {
          in.nextNull();
          return box.apply(Double.NaN);
        }
        return box.apply(in.nextDouble());
      }
    };
  }

  private static final TypeAdapter<Double> FINITE_OR_NULL = finiteOrNull(d -> d);
  private static final TypeAdapter<Float> FLOAT_FINITE_OR_NULL = finiteOrNull(d -> (float) d);

  /** Pretty-printed, nulls written (so a missing figure shows as null, not as an absent key). */
  public static Gson gson() {
    return builder().setPrettyPrinting().create();
  }

  /** The same on one line: what the commands' {@code --json} print for one result. */
  public static Gson compact() {
    return builder().create();
  }

  private static GsonBuilder builder() {
    return new GsonBuilder().serializeNulls().disableHtmlEscaping()
        .registerTypeAdapter(Double.class, FINITE_OR_NULL).registerTypeAdapter(double.class, FINITE_OR_NULL)
        .registerTypeAdapter(Float.class, FLOAT_FINITE_OR_NULL).registerTypeAdapter(float.class, FLOAT_FINITE_OR_NULL);
  }

  /**
   * Parses a whole document as strictly as RFC 8259 asks (no NaN or infinities, no comments, no
   * unquoted names, nothing after the value): what a client in another language will accept.
   *
   * @throws com.google.gson.JsonParseException where a strict parser refuses it
   */
  public static com.google.gson.JsonElement parseStrict(String json) {
    try {
      JsonReader r = new JsonReader(new java.io.StringReader(json));
      r.setStrictness(com.google.gson.Strictness.STRICT);
      com.google.gson.JsonElement e = com.google.gson.internal.bind.TypeAdapters.JSON_ELEMENT.read(r);
      if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) throw new com.google.gson.JsonSyntaxException("text after the JSON value");
      return e;
    } catch (IOException e) {
      throw new com.google.gson.JsonSyntaxException(e.getMessage(), e);
    }
  }
}
