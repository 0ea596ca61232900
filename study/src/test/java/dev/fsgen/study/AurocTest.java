package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aWeightingEqualsRepeatingThePrompts() {
    SplittableRandom rng = new SplittableRandom(11);
    List<double[]> pos = new ArrayList<>();
    List<double[]> neg = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      pos.add(rng.doubles(rng.nextInt(4), 0, 1).map(x -> Math.floor(x * 8) / 8).toArray()); // some prompts have none
      neg.add(rng.doubles(1 + rng.nextInt(6), -0.3, 0.8).map(x -> Math.floor(x * 8) / 8).toArray());
    }
    int[] weights = {0, 3, 1, 0, 2, 1, 1, 0, 4, 0, 0, 0};
    List<Double> p = new ArrayList<>();
    List<Double> n = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      for (int k = 0; k < weights[i]; k++) {
        for (double x : pos.get(i)) p.add(x);
        for (double x : neg.get(i)) n.add(x);
      }
    }
    double wins = 0;
    for (double a : p) for (double b : n) wins += a > b ? 1 : a == b ? 0.5 : 0;
    assertEquals(wins / (p.size() * n.size()), Auroc.Ranked.of(pos, neg).weighted(weights), 1e-15);
    int[] none = new int[12];
    none[3] = 1; // one prompt alone may lack a class
    double alone = Auroc.Ranked.of(pos, neg).weighted(none);
    assertTrue(pos.get(3).length == 0 ? Double.isNaN(alone) : alone >= 0 && alone <= 1);
  }

  @Test
  void negativeZeroIsZeroAndNaNIsRefused() {
    assertEquals(0.5, Auroc.of(new double[] {-0.0}, new double[] {0.0}));
    assertThrows(IllegalArgumentException.class, () -> Auroc.of(new double[] {Double.NaN}, new double[] {1}));
  }
}
