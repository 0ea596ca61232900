package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
}
