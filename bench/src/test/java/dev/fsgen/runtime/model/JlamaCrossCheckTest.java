package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;
import dev.fsgen.bench.reference.JlamaReference;
import dev.fsgen.runtime.model.PublishedCheckpoints.Dtype;
import dev.fsgen.runtime.model.PublishedCheckpoints.Family;
import dev.fsgen.runtime.model.PublishedCheckpoints.Written;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.tokenizer.TokenizerFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsgen's runtime against an independent Llama implementation (Jlama, run in its own Java 21+ JVM)
 * on the same checkpoint: the proof that loader and math follow the architecture, not only fsgen's
 * own trainer. Skipped, with the reason, where no Java 21+ is installed.
 */
class JlamaCrossCheckTest {
  static final int GREEDY = 32;

  /** A random model in Jlama-safe shapes, checked three ways: fsgen, Jlama, and the naive reference. */
  @Test
  void randomCheckpointAgreesWithJlamaAndReference(@TempDir Path dir) throws IOException {
    JlamaReference jlama = jlamaOrSkip();
    LlamaConfig c = new LlamaConfig("llama", 512, 128, 384, 2, 4, 2, 32, 256, 1e-5, 10000.0, false, false, 0, 0);
    try (LlamaModel m = LlamaModel.random(c, 99)) {
      m.save(dir, DataType.FLOAT32, null);
      Files.copy(TokenizerFixture.write(dir.resolve("tok"), 512), dir.resolve(Checkpoint.TOKENIZER));
      List<int[]> prompts = List.of(new int[] {1, 5, 77, 300, 9}, new int[] {1}, TransformerTest.tokens(40, 512, 3));
      List<JlamaReference.Result> theirs = jlama.run(dir, prompts, GREEDY);
      ReferenceForward ref = ReferenceForward.of(c, m.weights());
      for (int i = 0; i < prompts.size(); i++) {
        int[] p = prompts.get(i);
        float[] ours = m.forward(p, m.newCache(1))[p.length - 1];
        double[] naive = ref.logits(p)[p.length - 1];
        assertTrue(TransformerTest.maxDiff(ours, naive) < 1e-4, "fsgen vs reference, prompt " + i);
        assertTrue(maxDiff(ours, theirs.get(i).lastLogits()) < 1e-4, "fsgen vs Jlama, prompt " + i + ": " + maxDiff(ours, theirs.get(i).lastLogits()));
        assertArrayEquals(theirs.get(i).greedy(), greedy(m, p), "greedy continuation, prompt " + i);
      }
    }
  }

  /** The committed System 2 checkpoint, on ten real prompts: |Δlogit| ≤ 1e-3 and the same 32-token continuation. */
  @Test
  void committedSystem2AgreesWithJlama() throws IOException {
    JlamaReference jlama = jlamaOrSkip();
    Path dir = Greedy.root().resolve("models/system2");
    assumeTrue(Files.exists(dir.resolve(Checkpoint.WEIGHTS)), "no committed model at " + dir);
    String[] texts = {
      "The history of the city", "In the beginning", "He said that the committee", "27 + 15 =",
      "The United States and", "She looked at the door and", "It was a cold morning in", "The results of the study show",
      "And the LORD spake unto", "When the war was over, the"};
    try (LlamaModel m = LlamaModel.load(dir); TextTokenizer tok = TextTokenizer.load(dir.resolve(Checkpoint.TOKENIZER))) {
      List<int[]> prompts = new ArrayList<>();
      for (String t : texts) prompts.add(tok.encode(t));
      List<JlamaReference.Result> theirs = jlama.run(dir, prompts, GREEDY);
      double worst = 0;
      for (int i = 0; i < prompts.size(); i++) {
        int[] p = prompts.get(i);
        float[] ours;
        try (KvCache cache = m.newCache(1)) {
          ours = m.next(p, cache);
        }
        worst = Math.max(worst, maxDiff(ours, theirs.get(i).lastLogits()));
        assertArrayEquals(theirs.get(i).greedy(), greedy(m, p), "greedy continuation of '" + texts[i] + "'");
      }
      System.out.printf("Jlama cross-check on %s: max |logit difference| %.3g over %d prompts%n", dir, worst, prompts.size());
      assertTrue(worst <= 1e-3, "max |logit difference| " + worst);
    }
  }

  /**
   * Jlama, where it runs, on the family it implements fully: Qwen2 (Jlama 0.8's Llama reads only
   * linear rope scaling, its Mistral has no window). One Qwen checkpoint: each run starts a JVM.
   */
  @Test
  void jlamaAgreesOnQwen(@TempDir Path tmp) throws IOException {
    Family family = Family.QWEN2_5_0_5B_INSTRUCT;
    JlamaReference jlama = jlamaOrSkip();
    long seed = 1000 + family.ordinal();
    int[] tokens = TransformerTest.tokens(PublishedFamiliesTest.LENGTH, family.tokenizerSize(), seed);
    Written f32 = PublishedCheckpoints.write(family, Dtype.F32, seed, tmp.resolve("f32"));
    ReferenceForward ref = new ReferenceForward(f32.config(), f32.weights());
    JlamaReference.Result theirs = jlama.run(f32.dir(), List.of(tokens), PublishedFamiliesTest.GREEDY).get(0);
    double[] last = ref.logits(tokens)[PublishedFamiliesTest.LENGTH - 1];
    double worst = 0;
    for (int v = 0; v < last.length; v++) worst = Math.max(worst, Math.abs(theirs.lastLogits()[v] - last[v]));
    assertTrue(worst < PublishedFamiliesTest.TOLERANCE, family + ": Jlama vs reference " + worst);
    assertArrayEquals(ref.greedy(tokens, PublishedFamiliesTest.GREEDY), theirs.greedy(), family + ": Jlama's greedy continuation");
  }

  static int[] greedy(LlamaModel m, int[] prompt) {
    return Greedy.continuation(m, prompt, GREEDY);
  }

  static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  static JlamaReference jlamaOrSkip() {
    var ref = JlamaReference.find();
    assumeTrue(ref.isPresent(), "Jlama cross-check skipped: " + JlamaReference.unavailableReason());
    return ref.get();
  }
}
