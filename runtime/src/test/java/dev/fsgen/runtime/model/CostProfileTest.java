package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cost profile computes its source's logits (its extra layers and MLP columns add zero) while
 * holding the larger model's weights: the differential check that makes its timings stand for a
 * large System 2 that gives the bundled System 2's tokens.
 */
class CostProfileTest {
  @Test
  void widerDeeperModelGivesTheSourceLogits(@TempDir Path dir) throws Exception {
    LlamaConfig small = VectorDecoderTest.GQA;
    Path src = dir.resolve("src");
    try (LlamaModel m = LlamaModel.random(small, 4, WeightFormat.FP32)) {
      m.save(src, DataType.FLOAT32, null);
    }
    Files.writeString(src.resolve(Checkpoint.TOKENIZER), "{}"); // copied as is; this test loads no tokenizer
    Path out = dir.resolve("cost");
    LlamaConfig big = CostProfile.write(src, out, 5, 3 * small.intermediateSize(), DataType.FLOAT32, 9);
    assertEquals(5, big.numLayers());
    assertTrue(big.parameterCount() > 2 * small.parameterCount(), "the profile holds more weights");
    try (LlamaModel a = LlamaModel.load(src, WeightFormat.FP32); LlamaModel b = LlamaModel.load(out, WeightFormat.FP32);
         KvCache ca = a.newCache(1); KvCache cb = b.newCache(1)) {
      int[] prompt = TransformerTest.tokens(12, small.vocabSize(), 3);
      assertArrayEquals(a.next(prompt, ca), b.next(prompt, cb), 1e-4f, "prompt pass (libtorch)");
      for (int t = 0; t < 8; t++) {
        int tok = (t * 13 + 1) % small.vocabSize();
        assertArrayEquals(a.next(new int[] {tok}, ca), b.next(new int[] {tok}, cb), 1e-4f, "step " + t + " (Java decode path)");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> CostProfile.config(small, 1, small.intermediateSize()));
  }
}
