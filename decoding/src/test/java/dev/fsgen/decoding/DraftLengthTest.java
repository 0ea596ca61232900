package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The adaptive draft length against simulated sessions: rounds whose acceptance is geometric with
 * a known α and whose cost is a + b·γ, where the best length is known from the formula.
 */
class DraftLengthTest {
  /** Runs {@code rounds} simulated rounds and returns the length chosen most often in the last half. */
  private static int settle(DraftLength d, double alpha, double a, double b, int rounds, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] chosen = new int[20];
    for (int i = 0; i < rounds; i++) {
      int g = d.next();
      int kept = 0;
      while (kept < g && rng.nextDouble() < alpha) kept++;
      // ±10% timing noise
      long nanos = (long) ((a + b * g) * (0.9 + 0.2 * rng.nextDouble()) * 1e9);
      d.observe(g, kept, kept < g, nanos);
      if (i >= rounds / 2) chosen[g]++;
    }
    int mode = 1;
    for (int g = 1; g < chosen.length; g++) if (chosen[g] > chosen[mode]) mode = g;
    return mode;
  }

  @Test
  void findsTheBestLengthForEachKindOfPair() {
    // {alpha, a (fixed cost per round, s), b (cost per draft token, s)}
    double[][] cases = {
        {0.9, 0.002, 0.0001}, // a cheap, accurate drafter behind slow round trips: long drafts
        {0.5, 0.001, 0.0004}, // an inaccurate drafter whose tokens cost: short drafts
        {0.75, 0.0015, 0.0003},
        {0.3, 0.001, 0.001}};
    for (double[] c : cases) {
      int want = DraftLength.optimum(c[0], c[1], c[2], 8);
      int got = settle(new DraftLength(8, 4), c[0], c[1], c[2], 400, 7);
      assertTrue(Math.abs(got - want) <= 1, "alpha " + c[0] + ": chose " + got + ", best " + want);
    }
  }

  @Test
  void followsAChangeOfAcceptanceWithinASession() {
    DraftLength d = new DraftLength(8, 4);
    int before = settle(d, 0.95, 0.002, 0.0001, 200, 3);
    int after = settle(d, 0.3, 0.002, 0.0001, 200, 4);
    assertEquals(DraftLength.optimum(0.95, 0.002, 0.0001, 8), before, 1);
    assertTrue(after < before, "acceptance fell from 0.95 to 0.3: draft length " + before + " -> " + after);
    assertEquals(0.3, d.alpha(), 0.1);
  }

  @Test
  void aGenerationStartsFromTheRoundCostsEarlierOnesMeasured() {
    RoundCosts shared = RoundCosts.shared();
    settle(new DraftLength(8, 4, shared), 0.9, 0.002, 0.0001, 200, 5);
    double[] ab = shared.fit();
    assertEquals(0.002, ab[0], 0.0005);
    assertEquals(0.0001, ab[1], 0.00005);
    // before its first round it already knows what a round costs: only its acceptance (a prior of 0.5) is a guess
    DraftLength next = new DraftLength(8, 4, shared);
    assertEquals(DraftLength.optimum(0.5, ab[0], ab[1], 8), next.next());
    assertEquals(DraftLength.optimum(0.9, 0.002, 0.0001, 8), settle(next, 0.9, 0.002, 0.0001, 40, 6), 1);
  }

  @Test
  void staysWithinItsBounds() {
    DraftLength d = new DraftLength(3, 3);
    for (int i = 0; i < 100; i++) {
      int g = d.next();
      assertTrue(g >= 1 && g <= 3, "length " + g);
      d.observe(g, g, false, 1_000_000L * g);
    }
    assertThrows(IllegalArgumentException.class, () -> new DraftLength(4, 5));
    assertThrows(IllegalArgumentException.class, () -> new DraftLength(0, 1));
  }
}
