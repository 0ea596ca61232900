package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AcceptanceTest {
  @Test
  void acceptsWithProbabilityMinOneRatio() {
    assertTrue(Acceptance.accepts(0.5, 0.25, 0.999), "p > q: always kept");
    assertTrue(Acceptance.accepts(0.2, 0.4, 0.49));
    assertFalse(Acceptance.accepts(0.2, 0.4, 0.5));
    assertFalse(Acceptance.accepts(0.0, 0.4, 0.0), "System 2 rules the token out");
  }

  @Test
  void residualIsTheNormalisedPositivePartOfPMinusQ() {
    float[] p = {0.5f, 0.3f, 0.2f, 0f};
    float[] q = {0.2f, 0.5f, 0.1f, 0.2f};
    float[] r = Acceptance.residual(p, q);
    // max(0, p - q) = {0.3, 0, 0.1, 0}, total 0.4
    assertArrayEquals(new float[] {0.75f, 0f, 0.25f, 0f}, r, 1e-6f);
  }

  @Test
  void equalDistributionsFallBackToP() {
    float[] p = {0.5f, 0.5f};
    assertArrayEquals(p, Acceptance.residual(p, p.clone()));
  }

  @Test
  void floatDrawRespectsTheMass() {
    float[] p = {0f, 0.25f, 0f, 0.75f};
    int[] counts = new int[4];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) counts[Sampler.draw(p, rng)]++;
    assertEquals(0, counts[0] + counts[2]);
    assertEquals(0.25, counts[1] / 10_000.0, 0.02);
  }
}
