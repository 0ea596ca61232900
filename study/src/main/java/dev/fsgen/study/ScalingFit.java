package dev.fsgen.study;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * FS-GEN's scaling law of collaboration frequency with the parameter ratio R = N_L / N_S:
 * CF(R) = b − a·R^(−α).
 *
 * <p>For a fixed α the law is linear in x = R^(−α) (CF = b − a·x), so ordinary least squares gives
 * a and b exactly; what remains is a one-dimensional search over α, done with Brent's method on the
 * residual sum of squares after a coarse scan picks the bracket (the objective can have more than
 * one dip). This finds the global least-squares fit over α in [{@value #MIN_ALPHA}, {@value #MAX_ALPHA}]
 * without a starting guess.
 */
public final class ScalingFit {
  static final double MIN_ALPHA = 0.01;
  static final double MAX_ALPHA = 4.0;
  private static final int SCAN = 200;

  /** One pair's measurement. */
  public record Point(String pair, double ratio, double smallParameters, double cf) {}

  /**
   * @param rSquared 1 − SS_res / SS_tot of the fit on all points
   * @param looError mean absolute error of each point predicted by the fit on all the others (NaN
   *     with fewer than four points, where a three-parameter fit on the rest is not determined)
   * @param residualVsSmallSize Pearson correlation between the residuals and log N_S: near zero when
   *     the ratio alone explains CF, away from zero when the absolute size of S matters too (NaN
   *     with fewer than three points)
   */
  public record Fit(double a, double alpha, double b, double rSquared, double looError, double residualVsSmallSize, int points) {
    public double predict(double ratio) {
      return b - a * Math.pow(ratio, -alpha);
    }
  }

  private ScalingFit() {}

  /** The least-squares fit; needs at least three points with at least two distinct ratios. */
  public static Fit fit(List<Point> points) {
    if (points.size() < 3) throw new IllegalArgumentException("a three-parameter fit needs at least 3 pairs, got " + points.size());
    double[] r = points.stream().mapToDouble(Point::ratio).toArray();
    double[] y = points.stream().mapToDouble(Point::cf).toArray();
    Fit f = leastSquares(r, y);
    double loo = Double.NaN;
    if (points.size() >= 4) {
      double sum = 0;
      for (int i = 0; i < points.size(); i++) {
        List<Point> rest = new ArrayList<>(points);
        Point out = rest.remove(i);
        Fit g = leastSquares(rest.stream().mapToDouble(Point::ratio).toArray(), rest.stream().mapToDouble(Point::cf).toArray());
        sum += Math.abs(g.predict(out.ratio()) - out.cf());
      }
      loo = sum / points.size();
    }
    double[] residuals = new double[points.size()];
    double[] logSmall = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      residuals[i] = y[i] - f.predict(r[i]);
      logSmall[i] = Math.log(points.get(i).smallParameters());
    }
    double corr = constant(residuals) || constant(logSmall) ? Double.NaN : new PearsonsCorrelation().correlation(residuals, logSmall);
    return new Fit(f.a(), f.alpha(), f.b(), f.rSquared(), loo, corr, points.size());
  }

  private static Fit leastSquares(double[] r, double[] y) {
    if (constant(r)) throw new IllegalArgumentException("the fit needs at least two different ratios");
    double best = MIN_ALPHA;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int i = 0; i <= SCAN; i++) {
      double alpha = MIN_ALPHA * Math.pow(MAX_ALPHA / MIN_ALPHA, (double) i / SCAN); // log-spaced
      double sse = linear(r, y, alpha).getSumSquaredErrors();
      if (sse < bestSse) {
        bestSse = sse;
        best = alpha;
      }
    }
    double step = Math.pow(MAX_ALPHA / MIN_ALPHA, 1.0 / SCAN);
    double lo = Math.max(MIN_ALPHA, best / step);
    double hi = Math.min(MAX_ALPHA, best * step);
    UnivariatePointValuePair refined = new BrentOptimizer(1e-10, 1e-14).optimize(
        new MaxEval(500), GoalType.MINIMIZE, new SearchInterval(lo, hi, best),
        new UnivariateObjectiveFunction(alpha -> linear(r, y, alpha).getSumSquaredErrors()));
    double alpha = refined.getValue() <= bestSse ? refined.getPoint() : best;
    SimpleRegression reg = linear(r, y, alpha);
    double sst = 0;
    double mean = 0;
    for (double v : y) mean += v / y.length;
    for (double v : y) sst += (v - mean) * (v - mean);
    double r2 = sst == 0 ? Double.NaN : 1 - reg.getSumSquaredErrors() / sst;
    // CF = intercept + slope·x with x = R^-alpha, so b = intercept and a = -slope
    return new Fit(-reg.getSlope(), alpha, reg.getIntercept(), r2, Double.NaN, Double.NaN, y.length);
  }

  private static SimpleRegression linear(double[] r, double[] y, double alpha) {
    SimpleRegression reg = new SimpleRegression(true);
    for (int i = 0; i < r.length; i++) reg.addData(Math.pow(r[i], -alpha), y[i]);
    return reg;
  }

  private static boolean constant(double[] v) {
    for (double x : v) if (x != v[0]) return false;
    return true;
  }
}
