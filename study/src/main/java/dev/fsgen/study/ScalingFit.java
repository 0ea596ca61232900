package dev.fsgen.study;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * Models of collaboration frequency (CF) over the pairs, each fitted by least squares:
 *
 * <ul>
 *   <li>FS-GEN's scaling law in the parameter ratio R = N_L / N_S, CF(R) = b − a·R^(−α), twice: with
 *       α searched in [{@value #MIN_ALPHA}, {@value #MAX_ALPHA}] and a, b free ({@link Form#POWER_FREE}),
 *       and with the bounds of FS-GEN's released fit ({@code visualize/scaling_law.py}: scipy's
 *       {@code curve_fit} with {@code bounds=(0.05, inf)} on a, α and b; {@link Form#POWER_PAPER});
 *   <li>the log-linear law CF = c + s·ln R, whose slope s is the CF gained per e-fold of the ratio;
 *   <li>CF = c + u·ln N_S + v·ln N_L, which lets the two sizes act separately; the log-linear law is
 *       this model with u = −v, so comparing the two (leave-one-out error, AIC) tests whether the
 *       ratio alone carries what the sizes tell.
 * </ul>
 *
 * <p>For a fixed α the power law is linear in x = R^(−α) (CF = b − a·x), so least squares (under the
 * bounds, where they apply) gives a and b exactly; what remains is a one-dimensional search over α,
 * done with Brent's method after a coarse scan picks the bracket (the objective can have more than
 * one dip). This is the global least-squares fit over the α range; scipy's trust-region search from
 * FS-GEN's starting point (1, 1, 1) finds a local one, the same where the objective has one dip.
 */
public final class ScalingFit {
  static final double MIN_ALPHA = 0.01;
  static final double MAX_ALPHA = 4.0;
  /** FS-GEN's lower bound on a, α and b (their upper bound is infinite). */
  static final double PAPER_BOUND = 0.05;
  /** Where the bounded search over α stops: R^(−20) is below 1e-7 for every ratio of the family (R ≥ 2.3). */
  static final double PAPER_MAX_ALPHA = 20.0;
  private static final int SCAN = 200;

  /** One pair's measurement. */
  public record Point(String pair, double ratio, double smallParameters, double cf) {
    double largeParameters() {
      return ratio * smallParameters;
    }
  }

  /** The fitted forms; {@code parameters} counts the coefficients of the mean (the residual variance is common to all). */
  public enum Form {
    POWER_FREE("b − a·R^(−α), α ∈ [0.01, 4]", 3),
    POWER_PAPER("b − a·R^(−α), a, α, b ≥ 0.05 (FS-GEN's curve_fit bounds)", 3),
    LOG_RATIO("c + s·ln R", 2),
    LOG_SIZES("c + u·ln N_S + v·ln N_L", 3);

    public final String formula;
    public final int parameters;

    Form(String formula, int parameters) {
      this.formula = formula;
      this.parameters = parameters;
    }
  }

  /**
   * One model fitted to the points.
   *
   * @param coefficients (a, α, b) for the power laws, (c, s) for the log-ratio law, (c, u, v) for the sizes
   * @param sse the residual sum of squares
   * @param rSquared 1 − SSE / SS_tot
   * @param aic Akaike's criterion for Gaussian least squares, n·ln(SSE / n) + 2k (lower is better;
   *     only differences between models on the same points mean anything)
   * @param looError mean absolute error of each point predicted by the model fitted on all the
   *     others; NaN where a refit on n − 1 points is not determined
   */
  public record Model(Form form, double[] coefficients, int points, double sse, double rSquared, double aic, double looError) {
    /** Points minus fitted coefficients: at 1 or fewer, R² says next to nothing. */
    public int residualDof() {
      return points - form.parameters;
    }

    public double predict(double ratio, double smallParameters) {
      double[] c = coefficients;
      return switch (form) {
        case POWER_FREE, POWER_PAPER -> c[2] - c[0] * Math.pow(ratio, -c[1]);
        case LOG_RATIO -> c[0] + c[1] * Math.log(ratio);
        case LOG_SIZES -> c[0] + c[1] * Math.log(smallParameters) + c[2] * Math.log(ratio * smallParameters);
      };
    }
  }

  /**
   * Every model on one set of points; a model that the points do not determine is null.
   *
   * @param residualVsSmallSize Pearson correlation between the free power law's residuals and
   *     log N_S: near zero when the ratio alone explains CF (NaN where it is undefined)
   */
  public record Fit(Model free, Model paper, Model logRatio, Model logSizes, double residualVsSmallSize, int points) {
    public double a() {
      return free.coefficients()[0];
    }

    public double alpha() {
      return free.coefficients()[1];
    }

    public double b() {
      return free.coefficients()[2];
    }

    public double rSquared() {
      return free.rSquared();
    }

    public double looError() {
      return free.looError();
    }

    public double predict(double ratio) {
      return free.predict(ratio, Double.NaN);
    }
  }

  private ScalingFit() {}

  /** Every model; needs at least three points with at least two distinct ratios. */
  public static Fit fit(List<Point> points) {
    if (points.size() < 3) throw new IllegalArgumentException("a three-parameter fit needs at least 3 pairs, got " + points.size());
    if (constant(points.stream().mapToDouble(Point::ratio).toArray())) throw new IllegalArgumentException("the fit needs at least two different ratios");
    Model free = model(Form.POWER_FREE, points);
    double[] residuals = new double[points.size()];
    double[] logSmall = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      residuals[i] = p.cf() - free.predict(p.ratio(), p.smallParameters());
      logSmall[i] = Math.log(p.smallParameters());
    }
    double corr = constant(residuals) || constant(logSmall) ? Double.NaN : new PearsonsCorrelation().correlation(residuals, logSmall);
    return new Fit(free, model(Form.POWER_PAPER, points), model(Form.LOG_RATIO, points), model(Form.LOG_SIZES, points), corr, points.size());
  }

  /** One form fitted to the points with its quality figures; null where the points do not determine it. */
  static Model model(Form form, List<Point> points) {
    double[] coefficients = coefficients(form, points);
    if (coefficients == null) return null;
    int n = points.size();
    double mean = points.stream().mapToDouble(Point::cf).average().orElseThrow();
    double sse = 0;
    double sst = 0;
    for (Point p : points) {
      double r = p.cf() - predict(form, coefficients, p);
      sse += r * r;
      sst += (p.cf() - mean) * (p.cf() - mean);
    }
    double aic = n * Math.log(sse / n) + 2.0 * form.parameters;
    double loo = Double.NaN;
    if (n - 1 >= form.parameters) {
      double sum = 0;
      for (int i = 0; i < n && !Double.isNaN(sum); i++) {
        List<Point> rest = new ArrayList<>(points);
        Point out = rest.remove(i);
        double[] c = coefficients(form, rest);
        sum = c == null ? Double.NaN : sum + Math.abs(predict(form, c, out) - out.cf());
      }
      loo = sum / n;
    }
    return new Model(form, coefficients, n, sse, sst == 0 ? Double.NaN : 1 - sse / sst, aic, loo);
  }

  private static double predict(Form form, double[] c, Point p) {
    return new Model(form, c, 0, 0, 0, 0, 0).predict(p.ratio(), p.smallParameters());
  }

  private static double[] coefficients(Form form, List<Point> points) {
    double[] r = points.stream().mapToDouble(Point::ratio).toArray();
    double[] y = points.stream().mapToDouble(Point::cf).toArray();
    if (points.size() <= form.parameters - 1 || constant(r)) return null;
    return switch (form) {
      case POWER_FREE -> powerLaw(r, y, MIN_ALPHA, MAX_ALPHA, Double.NEGATIVE_INFINITY);
      case POWER_PAPER -> powerLaw(r, y, PAPER_BOUND, PAPER_MAX_ALPHA, PAPER_BOUND);
      case LOG_RATIO -> linear(y, points, p -> new double[] {Math.log(p.ratio())});
      case LOG_SIZES -> linear(y, points, p -> new double[] {Math.log(p.smallParameters()), Math.log(p.largeParameters())});
    };
  }

  /** Ordinary least squares with an intercept: (intercept, slopes...), or null where the regressors are collinear. */
  private static double[] linear(double[] y, List<Point> points, Function<Point, double[]> regressors) {
    double[][] x = points.stream().map(regressors).toArray(double[][]::new);
    for (int j = 0; j < x[0].length; j++) {
      final int col = j;
      if (constant(java.util.Arrays.stream(x).mapToDouble(row -> row[col]).toArray())) return null;
    }
    if (y.length <= x[0].length) return null;
    try {
      OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
      ols.newSampleData(y, x);
      return ols.estimateRegressionParameters();
    } catch (org.apache.commons.math3.exception.MathIllegalArgumentException e) { // singular (collinear sizes) or too few points
      return null;
    }
  }

  /** (a, α, b) minimising the squared error with α in [lo, hi] and a, b ≥ bound. */
  private static double[] powerLaw(double[] r, double[] y, double lo, double hi, double bound) {
    double best = lo;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int i = 0; i <= SCAN; i++) {
      double alpha = lo * Math.pow(hi / lo, (double) i / SCAN); // log-spaced
      double sse = profile(r, y, alpha, bound)[2];
      if (sse < bestSse) {
        bestSse = sse;
        best = alpha;
      }
    }
    double step = Math.pow(hi / lo, 1.0 / SCAN);
    UnivariatePointValuePair refined = new BrentOptimizer(1e-10, 1e-14).optimize(
        new MaxEval(500), GoalType.MINIMIZE, new SearchInterval(Math.max(lo, best / step), Math.min(hi, best * step), best),
        new UnivariateObjectiveFunction(alpha -> profile(r, y, alpha, bound)[2]));
    double alpha = refined.getValue() <= bestSse ? refined.getPoint() : best;
    double[] ab = profile(r, y, alpha, bound);
    return new double[] {ab[0], alpha, ab[1]};
  }

  /**
   * For a fixed α, (a, b, SSE) of CF = b − a·x with x = R^(−α) under a, b ≥ bound. The problem is a
   * convex quadratic in (a, b), so its minimum is the unconstrained one when that is feasible, else
   * the best of the minima along the edges a = bound and b = bound (each clamped to the box).
   */
  static double[] profile(double[] r, double[] y, double alpha, double bound) {
    int n = y.length;
    double[] x = new double[n];
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      x[i] = Math.pow(r[i], -alpha);
      mx += x[i] / n;
      my += y[i] / n;
    }
    double sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx; // CF = b + slope·x, so a = −slope
    double a = -slope;
    double b = my - slope * mx;
    if (a >= bound && b >= bound) return new double[] {a, b, sse(x, y, a, b)};
    double[] best = null;
    // edge a = bound: b = mean(y + bound·x), clamped
    double bEdge = Math.max(bound, my + bound * mx);
    best = better(best, bound, bEdge, x, y);
    // edge b = bound: a minimises Σ(bound − a·x − y)², so a = Σx(bound − y) / Σx², clamped
    double num = 0, den = 0;
    for (int i = 0; i < n; i++) {
      num += x[i] * (bound - y[i]);
      den += x[i] * x[i];
    }
    best = better(best, Math.max(bound, num / den), bound, x, y);
    return best;
  }

  private static double[] better(double[] current, double a, double b, double[] x, double[] y) {
    double s = sse(x, y, a, b);
    return current == null || s < current[2] ? new double[] {a, b, s} : current;
  }

  private static double sse(double[] x, double[] y, double a, double b) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      double e = y[i] - (b - a * x[i]);
      s += e * e;
    }
    return s;
  }

  private static boolean constant(double[] v) {
    for (double x : v) if (x != v[0]) return false;
    return true;
  }
}
