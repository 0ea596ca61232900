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
    JsonObject o = Json.parseStrict(json).getAsJsonObject();
    assertEquals(1.5, o.get("measured").getAsDouble());
    assertTrue(o.get("missing").isJsonNull());
    assertTrue(o.get("absent").isJsonNull());
    assertTrue(o.getAsJsonArray("ratios").get(1).isJsonNull());
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
  }

  /** Gson's own parser reads leniently even when told not to (parseReader turns a reader lenient): parseStrict does not. */
  @Test
  void theStrictParserRefusesNanWhichGsonsParserLetsThrough() throws Exception {
    String nan = "{\"collaborationFrequency\": NaN}";
    JsonReader told = new JsonReader(new StringReader(nan));
    told.setLenient(false);
    assertTrue(JsonParser.parseReader(told).getAsJsonObject().get("collaborationFrequency").getAsDouble() != 0);
    assertThrows(com.google.gson.JsonParseException.class, () -> Json.parseStrict(nan));
    assertThrows(com.google.gson.JsonParseException.class, () -> Json.parseStrict("{\"a\": 1} trailing"));
  }

  @Test
  void aSystem2AloneRunHasNoCollaborationFrequencyAndIsStillValidJson() throws Exception {
    SpeculativeBench.Run alone = new SpeculativeBench.Run("system2-only", 96, 0.2, 480, 0, 0, 0, 0, 96, Double.NaN, 0, 0.15, new long[4]);
    String json = SpeculativeBench.toJson(List.of(), List.of("memory-bound System 2 skipped")) + Json.gson().toJson(alone);
    assertTrue(Json.parseStrict(Json.gson().toJson(alone)).getAsJsonObject().get("collaborationFrequency").isJsonNull());
    assertFalse(json.contains("NaN"), json);
  }
}
