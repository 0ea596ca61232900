package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  /** An accuracy over 100 problems, each solved with probability 0.3: the interval covers 0.3 about 95% of the time. */
  @Test
  void coversTheTrueValueAtAboutTheNominalRate() {
    double p = 0.3;
    int trials = 400;
    int covered = 0;
    SplittableRandom data = new SplittableRandom(7);
    for (int t = 0; t < trials; t++) {
      long[] correct = new long[100];
      long[] one = new long[100];
      for (int i = 0; i < 100; i++) {
        correct[i] = data.nextDouble() < p ? 1 : 0;
        one[i] = 1;
      }
      if (new Bootstrap(t, 500).ratio(correct, one).covers(p)) covered++;
    }
    double rate = (double) covered / trials;
    // 400 trials measure the rate to about ±0.011; an interval too narrow or too wide falls outside
    assertTrue(rate > 0.90 && rate < 0.99, "coverage " + rate);
  }

  /**
   * Tokens of one prompt share the prompt's difficulty: 40 prompts, each with its own rate drawn
   * uniformly from [0, 1], 50 tokens each. The prompt-level interval covers the mean rate 0.5 at
   * about the nominal rate; token-level resampling treats 2,000 tokens as independent and is too
   * narrow.
   */
  @Test
  void resamplingPromptsWidensTheIntervalWhenTheirTokensAreCorrelated() {
    int trials = 150;
    int prompts = 40;
    int tokens = 50;
    int promptCovered = 0;
    int tokenCovered = 0;
    double promptWidth = 0;
    double tokenWidth = 0;
    SplittableRandom data = new SplittableRandom(11);
    for (int t = 0; t < trials; t++) {
      long[] differing = new long[prompts];
      long[] scored = new long[prompts];
      long[] tokenDiffering = new long[prompts * tokens];
      long[] tokenScored = new long[prompts * tokens];
      for (int i = 0; i < prompts; i++) {
        double rate = data.nextDouble();
        for (int k = 0; k < tokens; k++) {
          long d = data.nextDouble() < rate ? 1 : 0;
          differing[i] += d;
          tokenDiffering[i * tokens + k] = d;
          tokenScored[i * tokens + k] = 1;
        }
        scored[i] = tokens;
      }
      Bootstrap.Interval byPrompt = new Bootstrap(t, 400).ratio(differing, scored);
      Bootstrap.Interval byToken = new Bootstrap(t, 400).ratio(tokenDiffering, tokenScored);
      assertEquals(byPrompt.estimate(), byToken.estimate(), 1e-12);
      if (byPrompt.covers(0.5)) promptCovered++;
      if (byToken.covers(0.5)) tokenCovered++;
      promptWidth += byPrompt.width();
      tokenWidth += byToken.width();
    }
    assertTrue(promptWidth > 2 * tokenWidth, "prompt-level width " + promptWidth / trials + ", token-level " + tokenWidth / trials);
    assertTrue((double) promptCovered / trials > 0.88, "prompt-level coverage " + (double) promptCovered / trials);
    assertTrue((double) tokenCovered / trials < 0.70, "token-level coverage " + (double) tokenCovered / trials);
  }

  @Test
  void aurocIntervalIsAroundThePooledAuroc() {
    SplittableRandom data = new SplittableRandom(3);
    List<double[]> positives = new ArrayList<>();
    List<double[]> negatives = new ArrayList<>();
    List<Double> allPositive = new ArrayList<>();
    List<Double> allNegative = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      double[] pos = new double[3];
      double[] neg = new double[12];
      for (int k = 0; k < pos.length; k++) allPositive.add(pos[k] = 1 + data.nextGaussian());
      for (int k = 0; k < neg.length; k++) allNegative.add(neg[k] = data.nextGaussian());
      positives.add(pos);
      negatives.add(neg);
    }
    Bootstrap.Interval interval = new Bootstrap(5).auroc(positives, negatives);
    double pooled = Auroc.of(allPositive.stream().mapToDouble(Double::doubleValue).toArray(),
        allNegative.stream().mapToDouble(Double::doubleValue).toArray());
    assertEquals(pooled, interval.estimate(), 1e-12);
    assertTrue(interval.low() < pooled && pooled < interval.high(), interval.toString());
    // a score one standard deviation apart: AUROC about 0.76, and 90 positives place it within ±0.15
    assertTrue(interval.low() > 0.55 && interval.high() < 0.95, interval.toString());
  }

  @Test
  void aurocByWeightsIsTheAurocOfTheResampledPrompts() {
    SplittableRandom data = new SplittableRandom(8);
    List<double[]> positives = new ArrayList<>();
    List<double[]> negatives = new ArrayList<>();
    List<double[][]> clusters = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      double shift = data.nextDouble(); // prompts differ, so resampling them whole matters
      double[] pos = data.doubles(data.nextInt(5), 0, 1).map(x -> Math.round((x + shift) * 10) / 10.0).toArray();
      double[] neg = data.doubles(2 + data.nextInt(8), -0.5, 1).map(x -> Math.round((x + shift) * 10) / 10.0).toArray();
      positives.add(pos);
      negatives.add(neg);
      clusters.add(new double[][] {pos, neg});
    }
    // the same seed draws the same prompts: counting every pair of each resample's tokens gives the same values
    Bootstrap.Interval byPairs = new Bootstrap(9, 300).of(clusters, BootstrapTest::aurocByCountingPairs);
    Bootstrap.Interval byWeights = new Bootstrap(9, 300).auroc(positives, negatives);
    assertEquals(byPairs.estimate(), byWeights.estimate(), 1e-12);
    assertEquals(byPairs.low(), byWeights.low(), 1e-12);
    assertEquals(byPairs.high(), byWeights.high(), 1e-12);
    assertEquals(byPairs.resamples(), byWeights.resamples());
  }

  private static double aurocByCountingPairs(List<double[][]> clusters) {
    double wins = 0;
    long pairs = 0;
    for (double[][] a : clusters) {
      for (double[][] b : clusters) {
        for (double p : a[0]) {
          for (double n : b[1]) {
            wins += p > n ? 1 : p == n ? 0.5 : 0;
            pairs++;
          }
        }
      }
    }
    return pairs == 0 ? Double.NaN : wins / pairs;
  }

  @Test
  void theSameSeedGivesTheSameInterval() {
    long[] num = {3, 0, 5, 2, 7, 1};
    long[] den = {10, 8, 9, 10, 12, 6};
    assertEquals(new Bootstrap(42).ratio(num, den), new Bootstrap(42).ratio(num, den));
    assertNotEquals(new Bootstrap(42).ratio(num, den), new Bootstrap(43).ratio(num, den));
  }

  @Test
  void refusesDegenerateInput() {
    Bootstrap b = new Bootstrap(1);
    assertMessage("at least 200", () -> new Bootstrap(1, 50));
    assertMessage("at least 2 prompts", () -> b.ratio(new long[] {1}, new long[] {2}));
    assertMessage("differ in length", () -> b.ratio(new long[] {1, 2}, new long[] {2}));
    assertMessage("negative count", () -> b.ratio(new long[] {1, -1}, new long[] {2, 2}));
    assertMessage("nothing was scored", () -> b.ratio(new long[] {0, 0}, new long[] {0, 0}));
    assertMessage("one class is empty", () -> b.auroc(List.of(new double[0], new double[0]), List.of(new double[] {1}, new double[] {2})));
    assertMessage("differ in prompts", () -> b.auroc(List.of(new double[] {1}), List.of(new double[] {1}, new double[] {2})));
    // one prompt of 40 holds the only positive token: most resamples leave it out
    List<double[]> positives = new ArrayList<>();
    List<double[]> negatives = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      positives.add(i == 0 ? new double[] {1} : new double[0]);
      negatives.add(new double[] {0});
    }
    assertMessage("undefined on", () -> b.auroc(positives, negatives));
    assertMessage("undefined on the data itself", () -> b.of(List.of(1.0, 2.0), c -> Double.NaN));
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
