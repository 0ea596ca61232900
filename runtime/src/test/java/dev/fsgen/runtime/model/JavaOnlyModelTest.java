package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model loaded to serve from the Java decode path only (its weights read from the files in their
 * stored dtype straight into the packed form, no libtorch copy) computes what the same model
 * computes loaded through libtorch's fp32 copy: long prompts in blocks of 16, steps, verify blocks
 * and batched blocks, for checkpoints stored in fp32, fp16 and bf16; what needs libtorch's weights
 * is refused.
 */
class JavaOnlyModelTest {
  @Test
  void servesLikeTheModelThatKeepsLibtorchsWeights(@TempDir Path dir) throws Exception {
    assumeTrue(Placement.configured().javaSteps(), "run with --add-modules jdk.incubator.vector and without -Dfsgen.decode=libtorch");
    for (LlamaConfig c : new LlamaConfig[] {VectorDecoderTest.GQA, VectorDecoderTest.QWEN})
      for (DataType stored : new DataType[] {DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16}) {
      Path src = dir.resolve(c.modelType() + "-" + stored);
      try (LlamaModel m = LlamaModel.random(c, 6, WeightFormat.FP32)) {
        m.save(src, stored, null);
      }
      try (LlamaModel both = LlamaModel.load(src, WeightFormat.BF16, false);
           LlamaModel java = LlamaModel.load(src, WeightFormat.BF16, true);
           KvCache a = both.newCache(1); KvCache b = java.newCache(1)) {
        assertTrue(java.javaOnly());
        assertFalse(both.javaOnly());
        assertEquals(both.decodeBytes(), java.weightBytes(), "the packed matrices are all the weights it holds");
        int[] prompt = TransformerTest.tokens(50, c.vocabSize(), 5); // 16 + 16 + 16 + 2 in Java, one libtorch pass
        assertArrayEquals(both.next(prompt, a), java.next(prompt, b), 1e-4f, stored + " prompt");
        int[] block = TransformerTest.tokens(20, c.vocabSize(), 6);
        float[][] wa = both.forward(block, a);
        float[][] wb = java.forward(block, b);
        for (int i = 0; i < block.length; i++) assertArrayEquals(wa[i], wb[i], 1e-4f, "long block row " + i);
        for (int t = 0; t < 5; t++) {
          int[] tok = {(t * 11 + 2) % c.vocabSize()};
          assertArrayEquals(both.next(tok, a), java.next(tok, b), 1e-4f, "step " + t);
        }
        try (KvCache b2 = java.newCache(1)) {
          float[][][] batched = java.forwardBatch(new int[][] {{1, 2, 3}, prompt}, new KvCache[] {b2, java.newCache(1)});
          assertEquals(prompt.length, batched[1].length, "a long block in a batch runs in Java blocks too");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> java.run(new int[][] {{1}}, b, true));
        assertTrue(e.getMessage().contains("LlamaModel.load(dir, format)"), e.getMessage());
        assertThrows(IllegalStateException.class, java::weights);
      }
    }
  }
}
