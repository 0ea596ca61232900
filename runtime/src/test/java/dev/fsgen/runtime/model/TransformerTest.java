package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransformerTest {
  /** GQA (4 query heads on 2 kv heads), untied head, non-default theta: every branch of the math. */
  static final LlamaConfig GQA = new LlamaConfig("llama", 97, 32, 48, 2, 4, 2, 8, 64, 1e-5, 5000.0, false, false, 0, 0);
  static final LlamaConfig QWEN = new LlamaConfig("qwen2", 61, 24, 40, 2, 3, 1, 8, 64, 1e-6, 10000.0, true, true, 0, 0);
  /** Mistral with a window of 4 (Llama 3 rope scaling too, which no published Mistral has: both at once). */
  static final LlamaConfig MISTRAL = new LlamaConfig("mistral", 83, 32, 48, 2, 4, 2, 8, 64, 1e-5, 10000.0, false, false, 0, 0,
      new RopeScaling("llama3", 8, 1, 4, 16), 4);

  static int[] tokens(int n, int vocab, long seed) {
    Random r = new Random(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
    return t;
  }

  static float[] randomFloats(int n, long seed) {
    Random r = new Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
    return f;
  }

  static double maxDiff(float[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  @Test
  void matchesNaiveReferenceAtEveryPosition() {
    for (LlamaConfig c : new LlamaConfig[] {GQA, QWEN, MISTRAL}) {
      NDManager manager = LlamaModel.newManager();
      Map<String, NDArray> weights = Initializer.init(c, manager, 7);
      // biases start at zero: give them values so the bias path is exercised
      weights.forEach((name, v) -> {
        if (name.endsWith(".bias")) v.set(randomFloats((int) v.size(), name.hashCode()));
      });
      try (LlamaModel m = LlamaModel.of(c, weights, manager)) {
        ReferenceForward ref = ReferenceForward.of(c, m.weights());
        int[] toks = tokens(11, c.vocabSize(), 3);
        double[][] want = ref.logits(toks);
        float[][] got;
        try (KvCache cache = m.newCache(1)) {
          got = m.forward(toks, cache);
        }
        for (int i = 0; i < toks.length; i++) {
          assertTrue(maxDiff(got[i], want[i]) < 1e-4, c.modelType() + " position " + i + " differs by " + maxDiff(got[i], want[i]));
        }
      }
    }
  }

  @Test
  void cachedDecodingEqualsRecomputation() {
    try (LlamaModel m = LlamaModel.random(GQA, 11); KvCache cache = m.newCache(1)) {
      int[] toks = tokens(20, GQA.vocabSize(), 5);
      float[][] full = m.forward(toks, m.newCache(1));
      // prefill 5, then one at a time, then a block of 4 (verification shape), then singles
      float[][] step = new float[20][];
      System.arraycopy(m.forward(slice(toks, 0, 5), cache), 0, step, 0, 5);
      for (int i = 5; i < 10; i++) step[i] = m.next(slice(toks, i, i + 1), cache);
      System.arraycopy(m.forward(slice(toks, 10, 14), cache), 0, step, 10, 4);
      for (int i = 14; i < 20; i++) step[i] = m.next(slice(toks, i, i + 1), cache);
      for (int i = 0; i < 20; i++) assertArrayEquals(full[i], step[i], 1e-4f, "position " + i);
    }
  }

  @Test
  void rollbackThenReplayGivesSameLogits() {
    try (LlamaModel m = LlamaModel.random(GQA, 13); KvCache cache = m.newCache(1)) {
      int[] toks = tokens(12, GQA.vocabSize(), 9);
      m.forward(slice(toks, 0, 8), cache);
      float[] want = m.next(slice(toks, 8, 9), cache);
      m.forward(tokens(3, GQA.vocabSize(), 1), cache); // rejected draft
      cache.rollback(8);
      assertArrayEquals(want, m.next(slice(toks, 8, 9), cache), 1e-5f);
      KvCache copy = cache.copy();
      assertEquals(9, copy.length());
      assertArrayEquals(m.next(slice(toks, 9, 10), cache), m.next(slice(toks, 9, 10), copy), 1e-5f);
      copy.close();
    }
  }

  @Test
  void batchRowsAreIndependent() {
    try (LlamaModel m = LlamaModel.random(GQA, 17); KvCache both = m.newCache(2)) {
      int[] a = tokens(6, GQA.vocabSize(), 1);
      int[] b = tokens(6, GQA.vocabSize(), 2);
      float[][][] out = m.run(new int[][] {a, b}, both, false);
      assertArrayEquals(m.forward(a, m.newCache(1))[5], out[0][5], 1e-4f);
      assertArrayEquals(m.forward(b, m.newCache(1))[5], out[1][5], 1e-4f);
    }
  }

  @Test
  void cacheGrowsPastInitialCapacityAndStopsAtContext() {
    LlamaConfig small = new LlamaConfig("llama", 50, 16, 32, 1, 2, 2, 8, 300, 1e-5, 10000.0, true, false, 0, 0);
    try (LlamaModel m = LlamaModel.random(small, 1); KvCache cache = m.newCache(1)) {
      int[] toks = tokens(290, 50, 4);
      float[][] full = m.forward(toks, m.newCache(1));
      m.forward(slice(toks, 0, 250), cache);
      float[][] rest = m.forward(slice(toks, 250, 290), cache);
      assertArrayEquals(full[289], rest[39], 1e-4f);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(tokens(11, 50, 1), cache));
      assertTrue(e.getMessage().contains("context of 300"), e.getMessage());
      assertEquals(290, cache.length(), "a refused block leaves the cache untouched");
    }
  }

  static int[] slice(int[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }
}
