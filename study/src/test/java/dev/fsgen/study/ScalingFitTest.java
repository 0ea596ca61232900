package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.junit.jupiter.api.Test;

class ScalingFitTest {
  // the family's sizes (parameters), so the ratios are the ones the study fits
  private static final double[] SIZES = {0.16e6, 0.39e6, 1.12e6, 4.2e6, 11.02e6};

  private static List<ScalingFit.Point> points(double a, double alpha, double b, double noise, double sizeEffect, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<ScalingFit.Point> out = new ArrayList<>();
    for (int i = 0; i < SIZES.length; i++) {
      for (int j = i + 1; j < SIZES.length; j++) {
        double r = SIZES[j] / SIZES[i];
        double cf = b - a * Math.pow(r, -alpha) + noise * (rng.nextDouble() - 0.5) + sizeEffect * Math.log(SIZES[i] / 1e6);
        out.add(new ScalingFit.Point(i + "-" + j, r, SIZES[i], cf));
      }
    }
    return out;
  }

  @Test
  void recoversTheLawFromExactData() {
    ScalingFit.Fit f = ScalingFit.fit(points(0.25, 0.6, 0.35, 0, 0, 1));
    assertEquals(0.25, f.a(), 1e-5);
    assertEquals(0.6, f.alpha(), 1e-4);
    assertEquals(0.35, f.b(), 1e-5);
    assertEquals(1.0, f.rSquared(), 1e-9);
    assertEquals(0.0, f.looError(), 1e-5);
    assertEquals(10, f.points());
  }

  @Test
  void noisyDataGivesAnImperfectButCloseFit() {
    ScalingFit.Fit f = ScalingFit.fit(points(0.25, 0.6, 0.35, 0.01, 0, 7));
    assertTrue(f.rSquared() > 0.8 && f.rSquared() < 1, "R² " + f.rSquared());
    assertEquals(0.35, f.b(), 0.05);
    assertTrue(f.looError() > 0 && f.looError() < 0.02, "LOO " + f.looError());
  }

  @Test
  void residualsTrackTheSmallModelsSizeWhenItMatters() {
    ScalingFit.Fit none = ScalingFit.fit(points(0.25, 0.6, 0.35, 0.002, 0, 3));
    ScalingFit.Fit strong = ScalingFit.fit(points(0.25, 0.6, 0.35, 0.002, 0.03, 3));
    assertTrue(Math.abs(strong.residualVsSmallSize()) > 0.5, "with a size effect: " + strong.residualVsSmallSize());
    assertTrue(Math.abs(none.residualVsSmallSize()) < Math.abs(strong.residualVsSmallSize()),
        none.residualVsSmallSize() + " vs " + strong.residualVsSmallSize());
  }

  @Test
  void refusesWhatCannotBeFitted() {
    List<ScalingFit.Point> two = points(0.25, 0.6, 0.35, 0, 0, 1).subList(0, 2);
    assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(two));
    List<ScalingFit.Point> sameRatio = List.of(new ScalingFit.Point("a", 4, 1, 0.1), new ScalingFit.Point("b", 4, 2, 0.2),
        new ScalingFit.Point("c", 4, 3, 0.3));
    assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(sameRatio));
    // three points fit, but there is nothing left to leave out
    assertTrue(Double.isNaN(ScalingFit.fit(points(0.25, 0.6, 0.35, 0, 0, 1).subList(0, 3)).looError()));
  }

  @Test
  void theBoundedFormRecoversParametersInsideItsBounds() {
    ScalingFit.Model m = ScalingFit.fit(points(0.25, 0.6, 0.35, 0, 0, 1)).paper();
    assertEquals(0.25, m.coefficients()[0], 1e-5);
    assertEquals(0.6, m.coefficients()[1], 1e-4);
    assertEquals(0.35, m.coefficients()[2], 1e-5);
    assertEquals(7, m.residualDof());
  }

  /** CF falling with the ratio needs a < 0, which the bounds forbid: the fit is the best one on the bound, found by brute force too. */
  @Test
  void theBoundedFormStaysOnItsBoundsAndIsTheBestThere() {
    List<ScalingFit.Point> falling = points(-0.2, 0.5, 0.3, 0.004, 0, 5);
    ScalingFit.Model m = ScalingFit.fit(falling).paper();
    for (double c : m.coefficients()) assertTrue(c >= ScalingFit.PAPER_BOUND - 1e-12, java.util.Arrays.toString(m.coefficients()));
    double best = Double.POSITIVE_INFINITY;
    for (double a = 0.05; a <= 1; a += 0.005) {
      for (double alpha = 0.05; alpha <= 4; alpha += 0.01) {
        for (double b = 0.05; b <= 1; b += 0.005) {
          double sse = 0;
          for (ScalingFit.Point p : falling) {
            double e = p.cf() - (b - a * Math.pow(p.ratio(), -alpha));
            sse += e * e;
          }
          best = Math.min(best, sse);
        }
      }
    }
    assertTrue(m.sse() <= best + 1e-12, "fit " + m.sse() + ", grid " + best);
  }

  @Test
  void theLogLinearAndSizeModelsRecoverTheirCoefficients() {
    List<ScalingFit.Point> pts = new ArrayList<>();
    for (int i = 0; i < SIZES.length; i++) {
      for (int j = i + 1; j < SIZES.length; j++) {
        pts.add(new ScalingFit.Point(i + "-" + j, SIZES[j] / SIZES[i], SIZES[i], 0.1 - 0.02 * Math.log(SIZES[i]) + 0.05 * Math.log(SIZES[j])));
      }
    }
    ScalingFit.Fit f = ScalingFit.fit(pts);
    assertArrayEquals(new double[] {0.1, -0.02, 0.05}, f.logSizes().coefficients(), 1e-9);
    assertEquals(1.0, f.logSizes().rSquared(), 1e-9);
    // u ≠ −v: the ratio alone cannot fit it, and both criteria prefer the sizes
    assertTrue(f.logRatio().rSquared() < 0.99, "R² " + f.logRatio().rSquared());
    assertTrue(f.logSizes().aic() < f.logRatio().aic());
    assertTrue(f.logSizes().looError() < f.logRatio().looError());

    List<ScalingFit.Point> ratioOnly = points(0, 1, 0, 0, 0, 1).stream()
        .map(p -> new ScalingFit.Point(p.pair(), p.ratio(), p.smallParameters(), 0.2 + 0.07 * Math.log(p.ratio()))).toList();
    ScalingFit.Model lr = ScalingFit.fit(ratioOnly).logRatio();
    assertArrayEquals(new double[] {0.2, 0.07}, lr.coefficients(), 1e-9);
    assertEquals(8, lr.residualDof());
  }

  /** AIC and leave-one-out error against a direct computation with an independent regression. */
  @Test
  void aicAndLeaveOneOutMatchADirectComputation() {
    List<ScalingFit.Point> pts = points(0.25, 0.6, 0.35, 0.03, 0, 9);
    ScalingFit.Model lr = ScalingFit.fit(pts).logRatio();
    int n = pts.size();
    SimpleRegression all = new SimpleRegression();
    for (ScalingFit.Point p : pts) all.addData(Math.log(p.ratio()), p.cf());
    assertEquals(n * Math.log(all.getSumSquaredErrors() / n) + 2 * 2, lr.aic(), 1e-9);
    double loo = 0;
    for (int i = 0; i < n; i++) {
      SimpleRegression rest = new SimpleRegression();
      for (int k = 0; k < n; k++) if (k != i) rest.addData(Math.log(pts.get(k).ratio()), pts.get(k).cf());
      loo += Math.abs(rest.predict(Math.log(pts.get(i).ratio())) - pts.get(i).cf()) / n;
    }
    assertEquals(loo, lr.looError(), 1e-12);
  }

  /** The xs pairs only: one small model, so its size cannot be separated from the intercept. */
  @Test
  void aSingleSmallModelLeavesTheSizeModelUndetermined() {
    List<ScalingFit.Point> xs = points(0.25, 0.6, 0.35, 0.01, 0, 2).subList(0, 4);
    ScalingFit.Fit f = ScalingFit.fit(xs);
    assertEquals(null, f.logSizes());
    assertEquals(1, f.free().residualDof());
    assertEquals(2, f.logRatio().residualDof());
  }
}
