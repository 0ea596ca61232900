package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
  static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f};

  @Test
  void greedyPicksFirstMaximum() {
    assertEquals(1, Sampler.argmax(LOGITS));
    assertEquals(1, Sampler.sample(LOGITS, SamplingParams.GREEDY, new SplittableRandom(1)));
  }

  @Test
  void temperatureOneIsSoftmax() {
    double[] p = Sampler.distribution(LOGITS, new SamplingParams(1, 0, 1));
    double z = 0;
    for (float l : LOGITS) z += Math.exp(l);
    for (int i = 0; i < LOGITS.length; i++) assertEquals(Math.exp(LOGITS[i]) / z, p[i], 1e-12);
  }

  @Test
  void topKKeepsKTokensAndRenormalises() {
    double[] p = Sampler.distribution(LOGITS, new SamplingParams(1, 2, 1));
    assertEquals(0.5, p[1], 1e-12);
    assertEquals(0.5, p[3], 1e-12);
    assertEquals(0, p[0] + p[2] + p[4], 0);
  }

  @Test
  void topPKeepsSmallestPrefixReachingP() {
    // probabilities ≈ [.054, .397, .146, .397, .007]: 0.5 needs the two .397s, 0.8 a third
    double[] p = Sampler.distribution(LOGITS, new SamplingParams(1, 0, 0.5));
    assertEquals(0.5, p[1], 1e-12);
    assertEquals(0.5, p[3], 1e-12);
    double[] q = Sampler.distribution(LOGITS, new SamplingParams(1, 0, 0.8));
    assertTrue(q[2] > 0 && q[0] == 0, "0.8 needs the third token too");
  }

  @Test
  void drawFollowsTheDistribution() {
    double[] p = {0.1, 0.6, 0.3};
    int[] counts = new int[3];
    SplittableRandom rng = new SplittableRandom(7);
    int n = 60_000;
    for (int i = 0; i < n; i++) counts[Sampler.draw(p, rng)]++;
    for (int i = 0; i < 3; i++) assertEquals(p[i], counts[i] / (double) n, 0.01);
  }

  @Test
  void sameSeedSameSamples() {
    SamplingParams s = new SamplingParams(0.8, 3, 0.9);
    SplittableRandom a = new SplittableRandom(5);
    SplittableRandom b = new SplittableRandom(5);
    for (int i = 0; i < 100; i++) assertEquals(Sampler.sample(LOGITS, s, a), Sampler.sample(LOGITS, s, b));
  }

  @Test
  void invalidParamsNameTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 0, 1)).getMessage().contains("temperature"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(Double.NaN, 0, 1)).getMessage().contains("temperature"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, -2, 1)).getMessage().contains("top_k"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1.5)).getMessage().contains("top_p"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0)).getMessage().contains("top_p"));
  }
}
