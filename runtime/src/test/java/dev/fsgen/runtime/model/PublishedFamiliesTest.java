package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.fsgen.runtime.model.PublishedCheckpoints.Dtype;
import dev.fsgen.runtime.model.PublishedCheckpoints.Family;
import dev.fsgen.runtime.model.PublishedCheckpoints.Written;
import dev.fsgen.runtime.model.ReferenceForward.Feature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * fsgen on checkpoints laid out as published Llama 3.x, Qwen2.5 and Mistral ones
 * ({@link PublishedCheckpoints}: the published config with the sizes shrunk, sharded safetensors
 * written independently) against a forward pass written from Hugging Face's equations
 * ({@link ReferenceForward}) over the weights as generated: logits at every position on both decode
 * paths (Java steps and blocks, libtorch blocks and steps), and the greedy continuation, in fp32 and
 * in the published bf16. Each family's test first shows that its distinguishing part (rope scaling,
 * biases, window, untied head) changes the reference's logits far beyond the tolerance, so that
 * fsgen getting that part wrong fails it.
 */
class PublishedFamiliesTest {
  static final double TOLERANCE = 1e-3;
  static final int LENGTH = 16;
  static final int GREEDY = 8;

  @ParameterizedTest
  @EnumSource(Family.class)
  void logitsAndGreedyMatchTheReference(Family family, @TempDir Path tmp) throws IOException {
    long seed = 1000 + family.ordinal();
    int[] tokens = TransformerTest.tokens(LENGTH, family.tokenizerSize(), seed);
    Written f32 = PublishedCheckpoints.write(family, Dtype.F32, seed, tmp.resolve("f32"));
    ReferenceForward ref = new ReferenceForward(f32.config(), f32.weights());
    double[][] expected = ref.logits(tokens);
    for (Feature part : distinguishing(f32.config())) {
      double change = maxDiff(expected, new ReferenceForward(f32.config(), f32.weights(), EnumSet.of(part)).logits(tokens));
      assertTrue(change > 20 * TOLERANCE, family + ": leaving out " + part + " changes the logits by only " + change);
    }
    if (f32.config().has("use_sliding_window")) {
      // Qwen2's window is off (use_sliding_window false): honouring it would change the logits
      JsonObject on = f32.config().deepCopy();
      on.addProperty("use_sliding_window", true);
      on.addProperty("max_window_layers", 0);
      double change = maxDiff(expected, new ReferenceForward(on, f32.weights()).logits(tokens));
      assertTrue(change > 20 * TOLERANCE, family + ": the window changes the logits by only " + change);
    }
    int[] greedy = ref.greedy(tokens, GREEDY);
    try (LoadedModel loaded = LoadedModel.load(f32.dir(), WeightFormat.FP32)) {
      checkBothPaths(family + " fp32", loaded.model(), tokens, expected);
      assertArrayEquals(greedy, Greedy.continuation(loaded.model(), tokens, GREEDY), family + " fp32: greedy continuation");
    }

    Written bf16 = PublishedCheckpoints.write(family, Dtype.BF16, seed, tmp.resolve("bf16"));
    ReferenceForward bfRef = new ReferenceForward(bf16.config(), bf16.weights());
    int[] bfGreedy = bfRef.greedy(tokens, GREEDY);
    try (LoadedModel loaded = LoadedModel.load(bf16.dir(), WeightFormat.FP32); KvCache cache = loaded.model().newCache(1)) {
      compare(family + " bf16", loaded.model().forward(tokens, cache), bfRef.logits(tokens), 0);
      assertArrayEquals(bfGreedy, Greedy.continuation(loaded.model(), tokens, GREEDY), family + " bf16: greedy continuation");
    }
    // served as the model services serve it: read in place into bf16 packed matrices, which hold the
    // checkpoint's exact values (q is scaled after its product, not rounded again), so the logits
    // are the reference's up to fp32 arithmetic
    try (LlamaModel served = LlamaModel.load(bf16.dir(), WeightFormat.BF16, true)) {
      if (served.javaOnly()) {
        try (KvCache cache = served.newCache(1)) {
          compare(family + " bf16 served in bf16", served.forward(tokens, cache), bfRef.logits(tokens), 0);
        }
      }
      assertArrayEquals(bfGreedy, Greedy.continuation(served, tokens, GREEDY), family + " bf16 served in bf16: greedy continuation");
    }
  }

  /** The parts that set this checkpoint apart from a plain Llama. */
  static Set<Feature> distinguishing(JsonObject c) {
    Set<Feature> s = EnumSet.noneOf(Feature.class);
    if (c.has("rope_scaling") && !c.get("rope_scaling").isJsonNull()) s.add(Feature.ROPE_SCALING);
    if (c.get("model_type").getAsString().equals("qwen2")) s.add(Feature.QKV_BIAS);
    if (c.get("model_type").getAsString().equals("mistral")) s.add(Feature.SLIDING_WINDOW);
    if (!c.get("tie_word_embeddings").getAsBoolean()) s.add(Feature.UNTIED_HEAD);
    return s;
  }

  /**
   * Logits at every position through libtorch (one block; a block then one-token steps, which see
   * a window move over the cache) and, with the Vector API, through the Java decoder (the same).
   */
  private static void checkBothPaths(String what, LlamaModel m, int[] tokens, double[][] expected) {
    int split = 10;
    try (KvCache cache = m.newCache(1)) {
      compare(what + ", libtorch block", m.run(new int[][] {tokens}, cache, false)[0], expected, 0);
    }
    try (KvCache cache = m.newCache(1)) {
      compare(what + ", libtorch block", m.run(new int[][] {Arrays.copyOf(tokens, split)}, cache, false)[0], expected, 0);
      for (int i = split; i < tokens.length; i++) {
        compare(what + ", libtorch step", m.run(new int[][] {{tokens[i]}}, cache, false)[0], expected, i);
      }
    }
    if (!Placement.configured().javaSteps()) return;
    try (KvCache cache = m.newCache(1)) {
      compare(what + ", Java block", m.forward(tokens, cache), expected, 0);
    }
    try (KvCache cache = m.newCache(1)) {
      compare(what + ", Java block", m.forward(Arrays.copyOf(tokens, split), cache), expected, 0);
      for (int i = split; i < tokens.length; i++) compare(what + ", Java step", m.forward(new int[] {tokens[i]}, cache), expected, i);
    }
  }

  private static void compare(String what, float[][] ours, double[][] expected, int from) {
    for (int i = 0; i < ours.length; i++) {
      double d = TransformerTest.maxDiff(ours[i], expected[from + i]);
      assertTrue(d < TOLERANCE, what + ": position " + (from + i) + " differs by " + d);
    }
  }

  static double maxDiff(double[][] a, double[][] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
    return m;
  }
}
