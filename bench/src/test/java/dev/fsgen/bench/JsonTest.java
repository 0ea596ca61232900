package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A figure that does not exist is null in the benchmarks' JSON, which a strict parser then reads whole. */
class JsonTest {
  record Figures(double measured, double missing, Double absent, List<Double> ratios) {}

  @Test
  void nanAndInfinityAreNullAndTheDocumentParsesStrictly() throws Exception {
    String json = Json.gson().toJson(new Figures(1.5, Double.NaN, null, List.of(2.0, Double.POSITIVE_INFINITY)));
    JsonReader strict = new JsonReader(new StringReader(json));
    strict.setLenient(false);
    JsonObject o = JsonParser.parseReader(strict).getAsJsonObject();
    assertEquals(1.5, o.get("measured").getAsDouble());
    assertTrue(o.get("missing").isJsonNull());
    assertTrue(o.get("absent").isJsonNull());
    assertTrue(o.getAsJsonArray("ratios").get(1).isJsonNull());
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
  }

  @Test
  void aSystem2AloneRunHasNoCollaborationFrequencyAndIsStillValidJson() throws Exception {
    SpeculativeBench.Run alone = new SpeculativeBench.Run("system2-only", 96, 0.2, 480, 0, 0, 0, 0, 96, Double.NaN, 0, 0.15, new long[4]);
    String json = SpeculativeBench.toJson(List.of(), List.of("memory-bound System 2 skipped")) + Json.gson().toJson(alone);
    JsonReader strict = new JsonReader(new StringReader(Json.gson().toJson(alone)));
    strict.setLenient(false);
    assertTrue(JsonParser.parseReader(strict).getAsJsonObject().get("collaborationFrequency").isJsonNull());
    assertFalse(json.contains("NaN"), json);
  }
}
