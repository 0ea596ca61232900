package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.fsgen.runtime.model.PublishedCheckpoints.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sliding_window} as config.json spells it per family (the attention itself is checked
 * against the reference in {@link PublishedFamiliesTest}, {@link TransformerTest} and
 * {@link VectorDecoderTest}).
 */
class SlidingWindowTest {
  @Test
  void mistralsWindowIsReadAndNullMeansFullAttention() {
    JsonObject v01 = Family.MISTRAL_7B_V0_1.config();
    v01.addProperty("sliding_window", 4096);
    assertEquals(4096, LlamaConfig.fromJson(v01).slidingWindow());
    JsonObject v02 = v01.deepCopy();
    v02.add("sliding_window", com.google.gson.JsonNull.INSTANCE); // Mistral 7B v0.2 and v0.3
    assertEquals(0, LlamaConfig.fromJson(v02).slidingWindow());
    v02.remove("sliding_window");
    assertEquals(0, LlamaConfig.fromJson(v02).slidingWindow());
    v02.addProperty("sliding_window", 0);
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.fromJson(v02));
    assertTrue(bad.getMessage().contains("'sliding_window'"), bad.getMessage());
  }

  /** Hugging Face's window: key j is visible to query i when i - window < j <= i (the query's own position counts). */
  @Test
  void theWindowCountsTheQuerysOwnPosition() {
    JsonObject o = Family.MISTRAL_7B_V0_1.config();
    o.addProperty("sliding_window", 3);
    LlamaConfig c = LlamaConfig.fromJson(o);
    assertEquals(0, c.firstVisible(0));
    assertEquals(0, c.firstVisible(2));
    assertEquals(1, c.firstVisible(3));
    assertEquals(7, c.firstVisible(9));
    o.remove("sliding_window");
    assertEquals(0, LlamaConfig.fromJson(o).firstVisible(9));
  }

  @Test
  void qwenIgnoresItsWindowWhenSwitchedOffAndRefusesItWhenOn(@TempDir Path dir) throws IOException {
    JsonObject o = Family.QWEN2_5_7B_INSTRUCT.config();
    assertEquals(0, LlamaConfig.fromJson(o).slidingWindow(), "use_sliding_window false: full attention");
    o.addProperty("use_sliding_window", true);
    Files.writeString(dir.resolve(LlamaConfig.FILE), o.toString());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaConfig.read(dir));
    assertTrue(e.getMessage().contains(dir.resolve(LlamaConfig.FILE).toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'use_sliding_window'"), e.getMessage());
  }

  /** llama.cpp's llama architecture attends to the whole context: a shorter window is refused, one as long is not. */
  @Test
  void ggufExportRefusesAWindowShorterThanTheContext(@TempDir Path dir) throws IOException {
    LlamaConfig windowed = new LlamaConfig("mistral", 300, 32, 48, 1, 4, 2, 8, 32, 1e-5, 10000.0, false, false, 0, 0,
        RopeScaling.NONE, 31);
    LlamaConfig whole = new LlamaConfig("mistral", 300, 32, 48, 1, 4, 2, 8, 32, 1e-5, 10000.0, false, false, 0, 0,
        RopeScaling.NONE, 32);
    Path tokenizer = dev.fsgen.tokenizer.TokenizerFixture.write(dir.resolve("tok"), 300);
    for (LlamaConfig c : new LlamaConfig[] {windowed, whole}) {
      Path model = dir.resolve("w" + c.slidingWindow());
      try (LlamaModel m = LlamaModel.random(c, 3)) {
        m.save(model, DataType.FLOAT32, tokenizer);
      }
      assertEquals(c.slidingWindow(), LlamaConfig.read(model).slidingWindow(), "config.json keeps the window");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GgufExport.write(dir.resolve("w31"), dir.resolve("w31.gguf"), GgufWriter.TensorType.F32));
    assertTrue(e.getMessage().contains("sliding_window 31"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("w31.gguf")));
    GgufExport.write(dir.resolve("w32"), dir.resolve("w32.gguf"), GgufWriter.TensorType.F32);
    assertTrue(Files.size(dir.resolve("w32.gguf")) > 0);
  }
}
