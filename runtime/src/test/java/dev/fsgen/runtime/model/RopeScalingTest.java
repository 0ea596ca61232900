package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RopeScalingTest {
  /** Llama 3.1 8B's config.json, as published (the fields this class reads). */
  static final String LLAMA31_8B = """
      {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009],
       "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 131072,
       "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
       "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
                        "rope_type": "llama3"},
       "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 128256}""";

  @Test
  void llama3KeepsHighFrequenciesDividesLowOnesAndBlendsTheBand() {
    LlamaConfig c = LlamaConfig.fromJson(JsonParser.parseString(LLAMA31_8B).getAsJsonObject());
    assertEquals(128, c.headDim());
    int kept = 0, divided = 0, blended = 0;
    for (int i = 0; i < c.headDim() / 2; i++) {
      double plain = 1.0 / Math.pow(500000.0, 2.0 * i / 128);
      double wavelength = 2 * Math.PI / plain;
      double scaled = c.ropeInverseFrequency(i);
      if (wavelength < 8192 / 4.0) {
        assertEquals(plain, scaled, 0, "pair " + i);
        kept++;
      } else if (wavelength > 8192 / 1.0) {
        assertEquals(plain / 8, scaled, 1e-18, "pair " + i);
        divided++;
      } else {
        assertTrue(scaled < plain && scaled > plain / 8, "pair " + i + " lies between its two limits");
        blended++;
      }
    }
    // Llama 3.1's 64 pairs by wavelength 2π·500000^(i/64): below 2048 positions for i < 28.2 (29 pairs),
    // above 8192 for i > 34.99 (29 pairs), the 6 between blended
    assertEquals(29, kept);
    assertEquals(29, divided);
    assertEquals(6, blended);
    // the first pair keeps its frequency: position 1 rotates it by exactly one radian
    assertEquals(1.0, c.ropeInverseFrequency(0), 0);
  }

  @Test
  void theBlendIsContinuousAtBothEdges() {
    RopeScaling s = new RopeScaling("llama3", 8, 1, 4, 8192);
    double atHigh = 2 * Math.PI / (8192 / 4.0); // wavelength exactly original / high_freq_factor
    assertEquals(atHigh, s.apply(atHigh), 1e-15);
    double atLow = 2 * Math.PI / 8192.0;
    assertEquals(atLow / 8, s.apply(atLow), 1e-15);
  }

  @Test
  void linearDividesEveryFrequency() {
    RopeScaling s = RopeScaling.fromJson(JsonParser.parseString("{\"type\": \"linear\", \"factor\": 4.0}"));
    assertEquals(0.25, s.apply(1.0), 0);
    assertEquals(1e-3 / 4, s.apply(1e-3), 1e-18);
  }

  @Test
  void unsupportedTypesAndBadFieldsAreRefusedByName() {
    IllegalArgumentException yarn = assertThrows(IllegalArgumentException.class,
        () -> RopeScaling.fromJson(JsonParser.parseString("{\"rope_type\": \"yarn\", \"factor\": 4.0}")));
    assertTrue(yarn.getMessage().contains("rope_scaling") && yarn.getMessage().contains("yarn"), yarn.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RopeScaling.fromJson(
        JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 4.0, \"high_freq_factor\": 1.0,"
            + " \"original_max_position_embeddings\": 8192}")));
    assertTrue(bad.getMessage().contains("rope_scaling.low_freq_factor"), bad.getMessage());
    assertEquals(RopeScaling.NONE, RopeScaling.fromJson(JsonParser.parseString("{\"rope_type\": \"default\"}")));
    assertEquals(RopeScaling.NONE, RopeScaling.fromJson(null));
  }

  @Test
  void aScaledConfigSurvivesWritingAndReading(@TempDir Path dir) throws Exception {
    LlamaConfig c = LlamaConfig.fromJson(JsonParser.parseString(LLAMA31_8B).getAsJsonObject());
    c.write(dir);
    JsonObject written = JsonParser.parseString(Files.readString(dir.resolve(LlamaConfig.FILE))).getAsJsonObject();
    assertEquals("llama3", written.getAsJsonObject("rope_scaling").get("rope_type").getAsString());
    assertEquals(c, LlamaConfig.read(dir));
  }
}
