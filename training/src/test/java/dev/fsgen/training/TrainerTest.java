package dev.fsgen.training;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static final LlamaConfig TINY = new LlamaConfig("llama", 32, 32, 64, 2, 4, 2, 8, 64, 1e-5, 10000.0, true, false, 0, 0);

  /** A learnable language: a fixed random permutation, so token i+1 is a function of token i. */
  static TokenCorpus permutation(String name, int n, long seed) {
    Random r = new Random(seed);
    int[] next = new int[32];
    for (int i = 0; i < 32; i++) next[i] = i;
    for (int i = 31; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = next[i];
      next[i] = next[j];
      next[j] = tmp;
    }
    int[] t = new int[n];
    t[0] = 1;
    for (int i = 1; i < n; i++) t[i] = r.nextInt(10) == 0 ? r.nextInt(32) : next[t[i - 1]];
    return new TokenCorpus(name, t, 1.0);
  }

  static TrainConfig config(int steps) {
    return new TrainConfig(steps, 4, 32, 1e-2, 1e-3, 5, 0.1, 1.0, 10, 8, 10, 42);
  }

  @Test
  void lossFallsFarBelowUniform(@TempDir Path dir) throws Exception {
    TokenCorpus train = permutation("perm", 5000, 1);
    TokenCorpus val = permutation("perm", 1000, 1);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Trainer.Trained t = new Trainer(TINY, config(60), List.of(train), List.of(val), dir, new PrintStream(log)).run(null)) {
      double uniform = Math.log(32);
      double loss = t.result().validationLoss().get("perm");
      assertTrue(loss < 0.5 * uniform, "validation loss " + loss + " vs uniform " + uniform);
      assertTrue(t.result().complete());
      assertEquals(loss, Evaluation.meanLoss(t.model(), val, 32, 4, 8), 1e-4, "the trained model evaluates as the trainer saw it");
    }
    assertTrue(log.toString().contains("validation perm"), log.toString());
  }

  /** A non-finite gradient must not survive zeroing: NaN − NaN is NaN, a fill with zeros is not. */
  @Test
  void zeroingClearsNonFiniteGradients() {
    try (NDManager m = LlamaModel.newManager()) {
      NDArray w = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(w.mul(Float.NaN).sum());
      }
      assertTrue(Float.isNaN(w.getGradient().toFloatArray()[0]));
      Trainer.zeroGradients(Map.of("w", w));
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        gc.backward(w.mul(2f).sum());
      }
      assertArrayEquals(new float[] {2, 2, 2, 2}, w.getGradient().toFloatArray());
    }
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
    TokenCorpus train = permutation("perm", 3000, 2);
    TokenCorpus val = permutation("perm", 500, 2);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    float[] straight;
    try (Trainer.Trained t = new Trainer(TINY, config(20), List.of(train), List.of(val), dir.resolve("a"), quiet).run(null)) {
      straight = t.model().weights().get("model.layers.1.mlp.down_proj.weight").toFloatArray();
    }
    // the run stops after 10 steps (as if interrupted), then the same command resumes from there
    try (Trainer.Trained t = new Trainer(TINY, config(20), List.of(train), List.of(val), dir.resolve("b"), quiet).stopAfter(10, 0).run(null)) {
      assertFalse(t.result().complete());
      assertEquals(10, t.result().steps());
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Trainer.Trained t = new Trainer(TINY, config(20), List.of(train), List.of(val), dir.resolve("b"), new PrintStream(log)).run(null)) {
      assertTrue(t.result().complete());
      assertArrayEquals(straight, t.model().weights().get("model.layers.1.mlp.down_proj.weight").toFloatArray(), 1e-6f);
    }
    assertTrue(log.toString().contains("resuming at step 10"), log.toString());
  }
}
