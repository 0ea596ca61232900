package dev.fsgen.decoding;

/**
 * Decides from System 1's uncertainty whether System 2 should produce the next token.
 * FS-GEN's defaults: top-1 probability below 0.5, or a top-1/top-2 margin below 0.2.
 */
public sealed interface Router {
  boolean handOff(Uncertainty u);

  String name();

  /** Hands off when System 1's entropy (nats) exceeds the threshold. */
  record Entropy(double threshold) implements Router {
    public Entropy {
      if (!(threshold >= 0) || Double.isInfinite(threshold)) throw new IllegalArgumentException("entropy threshold must be >= 0, got " + threshold);
    }

    public boolean handOff(Uncertainty u) {
      return u.entropy() > threshold;
    }

    public String name() {
      return "entropy>" + threshold;
    }
  }

  /** Hands off when System 1's most likely token has probability below tau. */
  record TopProbability(double tau) implements Router {
    public static final double DEFAULT = 0.5;

    public TopProbability {
      if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("tau must be in [0, 1], got " + tau);
    }

    public boolean handOff(Uncertainty u) {
      return u.top1() < tau;
    }

    public String name() {
      return "top1<" + tau;
    }
  }

  /** Hands off when System 1's top-1 and top-2 probabilities are closer than the threshold. */
  record Margin(double threshold) implements Router {
    public static final double DEFAULT = 0.2;

    public Margin {
      if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("margin threshold must be in [0, 1], got " + threshold);
    }

    public boolean handOff(Uncertainty u) {
      return u.margin() < threshold;
    }

    public String name() {
      return "margin<" + threshold;
    }
  }

  /**
   * Logistic regression on System 1's sorted top-K probabilities and its entropy, learned from
   * recorded generations: hands off when the predicted probability that System 2 would choose
   * differently exceeds the threshold.
   *
   * @param weights [K + 1]: one per top-K probability, then the entropy's
   */
  record Learned(double[] weights, double bias, double threshold) implements Router {
    public Learned {
      if (weights.length != Uncertainty.K + 1) {
        throw new IllegalArgumentException("a learned router needs " + (Uncertainty.K + 1) + " weights, got " + weights.length);
      }
      if (!(threshold > 0 && threshold < 1)) throw new IllegalArgumentException("router threshold must be in (0, 1), got " + threshold);
      weights = weights.clone();
    }

    public double probability(Uncertainty u) {
      double[] f = RouterFit.features(u);
      double z = bias;
      for (int i = 0; i < f.length; i++) z += weights[i] * f[i];
      return 1 / (1 + Math.exp(-z));
    }

    public boolean handOff(Uncertainty u) {
      return probability(u) > threshold;
    }

    public String name() {
      return "learned>" + threshold;
    }
  }
}
