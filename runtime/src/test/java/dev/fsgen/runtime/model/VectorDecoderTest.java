package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java decoder against the libtorch path, with the decode path's weights in fp32 and in bf16
 * (which rounds libtorch's weights to the same values): one cache is driven through a mix of both (single
 * tokens and short verify blocks in Java, long blocks on libtorch, rollbacks, growth past the
 * initial capacity of 256), a second only through libtorch, and every logit must agree.
 */
class VectorDecoderTest {
  /** GQA, untied head, head_dim below one SIMD width: every scalar tail. */
  static final LlamaConfig GQA = new LlamaConfig("llama", 97, 32, 48, 2, 4, 2, 8, 600, 1e-5, 5000.0, false, false, 0, 0);
  /** Qwen2: biases on q/k/v, tied head, a single kv head. */
  static final LlamaConfig QWEN = new LlamaConfig("qwen2", 61, 24, 40, 2, 3, 1, 8, 600, 1e-6, 10000.0, true, true, 0, 0);
  /** Full SIMD widths with ragged tails: intermediate 200 and vocab 301 are not multiples of 16 or 4. */
  static final LlamaConfig WIDE = new LlamaConfig("llama", 301, 128, 200, 2, 4, 2, 32, 600, 1e-5, 10000.0, false, false, 0, 0);
  /** Mistral: a sliding window of 5 positions, moving through rollbacks, branches and blocks. */
  static final LlamaConfig WINDOW = new LlamaConfig("mistral", 89, 32, 48, 2, 4, 2, 8, 600, 1e-5, 10000.0, false, false, 0, 0,
      RopeScaling.NONE, 5);

  private static final float TOLERANCE = 1e-4f;

  @ParameterizedTest
  @EnumSource(WeightFormat.class)
  void javaStepsMatchLibtorchThroughPrefillRollbackVerifyAndGrowth(WeightFormat format) {
    assumeTrue(Placement.configured().javaSteps(), "run with --add-modules jdk.incubator.vector and without -Dfsgen.decode=libtorch");
    for (LlamaConfig c : new LlamaConfig[] {GQA, QWEN, WIDE, WINDOW}) {
      NDManager manager = LlamaModel.newManager();
      Map<String, NDArray> weights = Initializer.init(c, manager, 21);
      weights.forEach((name, v) -> {
        if (name.endsWith(".bias")) v.set(TransformerTest.randomFloats((int) v.size(), name.hashCode()));
      });
      try (LlamaModel m = LlamaModel.of(c, weights, manager, format);
           KvCache mixed = m.newCache(1);
           KvCache torch = m.newCache(1)) {
        Pair p = new Pair(m, mixed, torch, c.modelType());
        int[] toks = TransformerTest.tokens(400, c.vocabSize(), 17);
        int at = 0;
        p.block(Arrays.copyOfRange(toks, at, at += 5));
        for (int i = 0; i < 20; i++) p.single(toks[at++]);
        p.rollback(at -= 7);
        for (int i = 0; i < 5; i++) p.single(toks[at++]);
        p.block(Arrays.copyOfRange(toks, at, at += 4)); // a verify block reads keys written in Java
        p.rollback(at -= 2);
        while (at < 300) p.single(toks[at++]); // past the first doubling of the cache
        assertTrue(mixed.capacity() > 256, "cache grew");
        p.block(Arrays.copyOfRange(toks, at, at += 6));
        p.block(Arrays.copyOfRange(toks, at, at += 40)); // longer than a Java block: libtorch on both
        p.block(Arrays.copyOfRange(toks, at, at += 16)); // the longest Java block, groups of four
        for (int i = 0; i < 5; i++) p.single(toks[at++]);
        assertEquals(at, mixed.length());
        assertEquals(at, torch.length());
        try (KvCache branch = mixed.copy(); KvCache torchBranch = torch.copy()) {
          Pair b = new Pair(m, branch, torchBranch, c.modelType() + " copy");
          for (int i = 0; i < 3; i++) b.single(toks[at + i]);
        }
      }
    }
  }

  /**
   * Continuous batching: blocks of different lengths on caches at different positions (one grown
   * past its initial capacity, one long block that goes to libtorch) in one call give what each
   * gives alone on libtorch, and the caches go on as if each had been run alone.
   */
  @ParameterizedTest
  @EnumSource(WeightFormat.class)
  void blocksOfSeveralSequencesInOnePassMatchEachAlone(WeightFormat format) {
    assumeTrue(Placement.configured().javaSteps(), "run with --add-modules jdk.incubator.vector and without -Dfsgen.decode=libtorch");
    for (LlamaConfig c : new LlamaConfig[] {GQA, QWEN, WIDE, WINDOW}) {
      try (LlamaModel m = LlamaModel.random(c, 8, format)) {
        int[] prefixes = {3, 40, 300, 1};
        int[] blocks = {5, 1, 4, 20};
        KvCache[] batched = new KvCache[prefixes.length];
        KvCache[] alone = new KvCache[prefixes.length];
        int[][] next = new int[prefixes.length][];
        try {
          for (int i = 0; i < prefixes.length; i++) {
            batched[i] = m.newCache(1);
            alone[i] = m.newCache(1);
            int[] p = TransformerTest.tokens(prefixes[i], c.vocabSize(), 30 + i);
            m.run(new int[][] {p}, batched[i], true);
            m.run(new int[][] {p}, alone[i], true);
            next[i] = TransformerTest.tokens(blocks[i], c.vocabSize(), 50 + i);
          }
          float[][][] got = m.forwardBatch(next, batched);
          for (int i = 0; i < prefixes.length; i++) {
            float[][] want = m.run(new int[][] {next[i]}, alone[i], false)[0];
            assertEquals(want.length, got[i].length);
            for (int r = 0; r < want.length; r++) {
              assertArrayEquals(want[r], got[i][r], TOLERANCE, c.modelType() + " sequence " + i + " row " + r);
            }
            assertEquals(alone[i].length(), batched[i].length());
            // the next step reads what the batch wrote into each cache
            int t = (i * 7 + 3) % c.vocabSize();
            assertArrayEquals(m.run(new int[][] {{t}}, alone[i], true)[0][0], m.next(new int[] {t}, batched[i]), TOLERANCE);
          }
          assertThrows(IllegalArgumentException.class, () -> m.forwardBatch(new int[][] {{1}, {2}}, new KvCache[] {batched[0], batched[0]}));
        } finally {
          for (int i = 0; i < prefixes.length; i++) {
            if (batched[i] != null) batched[i].close();
            if (alone[i] != null) alone[i].close();
          }
        }
      }
    }
  }

  @Test
  void batchedCachesStayOnLibtorch() {
    try (LlamaModel m = LlamaModel.random(GQA, 5); KvCache two = m.newCache(2); KvCache one = m.newCache(1)) {
      int[][] rows = {{1, 2, 3}, {4, 5, 6}};
      m.run(rows, two, true);
      float[] batched = m.run(new int[][] {{7}, {7}}, two, true)[0][0];
      m.forward(rows[0], one);
      assertArrayEquals(m.next(new int[] {7}, one), batched, TOLERANCE);
    }
  }

  /** The same operations on a mixed cache and on a libtorch-only cache, logits compared. */
  private record Pair(LlamaModel m, KvCache mixed, KvCache torch, String name) {
    void block(int[] toks) {
      float[][] got = m.forward(toks, mixed); // Java for short blocks, libtorch for long ones
      float[][] want = m.run(new int[][] {toks}, torch, false)[0]; // always libtorch
      for (int i = 0; i < toks.length; i++) {
        assertArrayEquals(want[i], got[i], TOLERANCE, name + " block row " + i + " at " + mixed.length());
      }
    }

    void single(int tok) {
      float[] got = m.next(new int[] {tok}, mixed); // Java
      float[] want = m.run(new int[][] {{tok}}, torch, false)[0][0]; // libtorch, same math at t = 1
      assertArrayEquals(want, got, TOLERANCE, name + " step at " + mixed.length());
    }

    void rollback(int len) {
      mixed.rollback(len);
      torch.rollback(len);
    }
  }
}
