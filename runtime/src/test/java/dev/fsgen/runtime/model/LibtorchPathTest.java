package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.Set;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The libtorch decode path, the one every step takes on a GPU (weights moved to the model's
 * device after loading, caches and steps on it, no Java step), run on the CPU against the Java
 * path on the bundled System 1 and System 2: greedy generation from either model alone, and
 * speculative decoding, whose verification blocks run batched, give the same tokens. A machine
 * with a GPU runs the same placement with {@code cuda} in place of {@code cpu}.
 */
class LibtorchPathTest {
  private static final Path MODELS = Path.of(System.getProperty("fsgen.root", "..")).resolve("models");
  private static final Placement JAVA = Placement.parse("cpu", "java");
  private static final Placement LIBTORCH = Placement.parse("cpu", "libtorch");

  @Test
  void libtorchPathGivesTheJavaPathsTokens() {
    assumeTrue(Placement.VECTOR_API, "run with --add-modules jdk.incubator.vector");
    // fp32 on both: bf16 rounds only what the Java path reads
    try (LlamaModel s1Java = LlamaModel.load(MODELS.resolve("system1"), WeightFormat.FP32, false, JAVA);
         LlamaModel s2Java = LlamaModel.load(MODELS.resolve("system2"), WeightFormat.FP32, false, JAVA);
         LlamaModel s1Torch = LlamaModel.load(MODELS.resolve("system1"), WeightFormat.FP32, true, LIBTORCH);
         LlamaModel s2Torch = LlamaModel.load(MODELS.resolve("system2"), WeightFormat.FP32, true, LIBTORCH)) {
      assertTrue(s2Java.decodeBytes() > 0, "the Java path packs its weights");
      assertEquals(0, s2Torch.decodeBytes(), "the libtorch path has no Java decoder");
      assertFalse(s2Torch.javaOnly(), "the libtorch path keeps libtorch's weights");
      ModelPair java = new ModelPair(new LocalLanguageModel(s1Java), new LocalLanguageModel(s2Java));
      ModelPair torch = new ModelPair(new LocalLanguageModel(s1Torch), new LocalLanguageModel(s2Torch));
      DecodeRequest greedy = new DecodeRequest(40, SamplingParams.GREEDY, 0, Set.of());
      for (int k = 0; k < 3; k++) {
        int[] prompt = TransformerTest.tokens(5 + 9 * k, s2Java.config().vocabSize(), 70 + k);
        for (SingleModel.Role role : SingleModel.Role.values()) {
          Outcome want = new SingleModel(role).run(java, prompt, greedy, TokenSink.NONE);
          Outcome got = new SingleModel(role).run(torch, prompt, greedy, TokenSink.NONE);
          assertArrayEquals(want.tokens(), got.tokens(), role + " alone, prompt " + k);
        }
        Outcome want = new Speculative(Speculative.DEFAULT_GAMMA).run(java, prompt, greedy, TokenSink.NONE);
        Outcome got = new Speculative(Speculative.DEFAULT_GAMMA).run(torch, prompt, greedy, TokenSink.NONE);
        assertArrayEquals(want.tokens(), got.tokens(), "speculative, prompt " + k);
        assertArrayEquals(want.producers(), got.producers(), "the same drafts accepted, prompt " + k);
      }
    }
  }

  /** Verification of several sequences in one call (what a server's batcher sends) on the libtorch path. */
  @Test
  void batchedVerificationOnLibtorchMatchesJava() {
    assumeTrue(Placement.VECTOR_API, "run with --add-modules jdk.incubator.vector");
    Path dir = MODELS.resolve("system2");
    try (LlamaModel java = LlamaModel.load(dir, WeightFormat.FP32, false, JAVA);
         LlamaModel torch = LlamaModel.load(dir, WeightFormat.FP32, false, LIBTORCH)) {
      int v = java.config().vocabSize();
      int[][] prefixes = {TransformerTest.tokens(7, v, 1), TransformerTest.tokens(30, v, 2), TransformerTest.tokens(2, v, 3)};
      int[][] drafts = {TransformerTest.tokens(4, v, 4), TransformerTest.tokens(1, v, 5), TransformerTest.tokens(9, v, 6)};
      KvCache[] a = new KvCache[prefixes.length];
      KvCache[] b = new KvCache[prefixes.length];
      try {
        for (int i = 0; i < prefixes.length; i++) {
          a[i] = java.newCache(1);
          b[i] = torch.newCache(1);
          java.forward(prefixes[i], a[i]);
          torch.forward(prefixes[i], b[i]);
        }
        float[][][] want = java.forwardBatch(drafts, a);
        float[][][] got = torch.forwardBatch(drafts, b);
        for (int i = 0; i < drafts.length; i++) {
          for (int r = 0; r < drafts[i].length; r++) {
            assertArrayEquals(want[i][r], got[i][r], 1e-4f, "sequence " + i + " row " + r);
          }
          assertEquals(a[i].length(), b[i].length());
        }
      } finally {
        for (int i = 0; i < prefixes.length; i++) {
          if (a[i] != null) a[i].close();
          if (b[i] != null) b[i].close();
        }
      }
    }
  }

  @Test
  void devicesAndPathsAreCheckedByName() {
    assertEquals(LIBTORCH, Placement.parse("cpu", "LibTorch"));
    assertEquals("cuda:1", Placement.name(Placement.parse("cuda:1", null).device()));
    assertEquals(Placement.DecodePath.LIBTORCH, Placement.parse("cuda", null).path(), "a GPU takes the libtorch path by default");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Placement.parse("tpu", null));
    assertTrue(e.getMessage().contains("--device must be cpu, cuda or cuda:N, got 'tpu'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Placement.parse("cpu", "jit"));
    assertTrue(e.getMessage().contains("--decode-path must be java or libtorch"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Placement.parse("cuda", "java"));
    assertTrue(e.getMessage().contains("--decode-path java") && e.getMessage().contains("--device cuda:0"), e.getMessage());
  }
}
