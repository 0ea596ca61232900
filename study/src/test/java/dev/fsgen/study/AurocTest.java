package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AurocTest {
  @Test
  void countsOrderedPairsWithTiesAsHalf() {
    assertEquals(1.0, Auroc.of(new double[] {3, 4}, new double[] {1, 2}));
    assertEquals(0.0, Auroc.of(new double[] {1, 2}, new double[] {3, 4}));
    // (0.8 > 0.5, 0.8 > 0.1, 0.4 < 0.5, 0.4 > 0.1): 3 of 4 pairs
    assertEquals(0.75, Auroc.of(new double[] {0.8, 0.4}, new double[] {0.5, 0.1}));
    // a tie counts one half: (0.5 = 0.5) → 0.5, (0.5 > 0.2) → 1
    assertEquals(0.75, Auroc.of(new double[] {0.5}, new double[] {0.5, 0.2}));
    assertEquals(0.5, Auroc.of(new double[] {1, 1, 1}, new double[] {1, 1}));
    assertTrue(Double.isNaN(Auroc.of(new double[0], new double[] {1})));
  }

  @Test
  void agreesWithCountingEveryPair() {
    SplittableRandom rng = new SplittableRandom(5);
    double[] pos = new double[300];
    double[] neg = new double[500];
    for (int i = 0; i < pos.length; i++) pos[i] = Math.floor(10 * (rng.nextDouble() + 0.3)) / 10; // coarse: many ties
    for (int i = 0; i < neg.length; i++) neg[i] = Math.floor(10 * rng.nextDouble()) / 10;
    double wins = 0;
    for (double p : pos) for (double n : neg) wins += p > n ? 1 : p == n ? 0.5 : 0;
    assertEquals(wins / (pos.length * neg.length), Auroc.of(pos, neg), 1e-12);
  }
}
