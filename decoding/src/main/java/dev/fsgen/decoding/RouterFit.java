package dev.fsgen.decoding;

import java.util.List;

/**
 * Fits a {@link Router.Learned}: logistic regression from System 1's uncertainty features to
 * whether System 2 chose differently, by full-batch gradient descent on the mean log loss with a
 * little L2. Features are System 1's sorted top-K probabilities and its entropy.
 */
public final class RouterFit {
  private RouterFit() {}

  /** One recorded token: System 1's uncertainty, and whether System 2's choice differed. */
  public record Example(Uncertainty features, boolean differs) {}

  /** The fitted router and how well it separates the examples. */
  public record Result(Router.Learned router, double logLoss, double accuracy, int examples, double positiveShare) {}

  public static Result fit(List<Example> examples, double threshold, int iterations) {
    if (examples.isEmpty()) throw new IllegalArgumentException("no examples to fit a router on");
    int d = Uncertainty.K + 1;
    double[][] x = new double[examples.size()][];
    double[] y = new double[examples.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = features(examples.get(i).features());
      y[i] = examples.get(i).differs() ? 1 : 0;
    }
    double[] w = new double[d];
    double b = 0;
    double lr = 0.5;
    double l2 = 1e-4;
    for (int it = 0; it < iterations; it++) {
      double[] gw = new double[d];
      double gb = 0;
      for (int i = 0; i < x.length; i++) {
        double err = sigmoid(dot(w, x[i]) + b) - y[i];
        for (int j = 0; j < d; j++) gw[j] += err * x[i][j];
        gb += err;
      }
      for (int j = 0; j < d; j++) w[j] -= lr * (gw[j] / x.length + l2 * w[j]);
      b -= lr * gb / x.length;
    }
    double loss = 0;
    int right = 0;
    int positives = 0;
    for (int i = 0; i < x.length; i++) {
      double p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(dot(w, x[i]) + b)));
      loss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
      if ((p > threshold) == (y[i] == 1)) right++;
      if (y[i] == 1) positives++;
    }
    return new Result(new Router.Learned(w, b, threshold), loss / x.length, (double) right / x.length, x.length,
        (double) positives / x.length);
  }

  /** [top-K probabilities..., entropy], padded with zeros for a vocabulary smaller than K. */
  static double[] features(Uncertainty u) {
    double[] f = new double[Uncertainty.K + 1];
    for (int i = 0; i < Math.min(Uncertainty.K, u.topK().length); i++) f[i] = Math.max(0, u.topK()[i]);
    f[Uncertainty.K] = u.entropy();
    return f;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
