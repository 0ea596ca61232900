package dev.fsgen.decoding;

/**
 * Chooses each speculative round's draft length from what the session has measured: the per-token
 * acceptance α, and the wall time of a round as a function of its length, T(γ) = a + b·γ (a: the
 * calls' fixed cost, round trips included; b: one more drafted and verified token). The next γ
 * maximises expected tokens per second, (1 − α^(γ+1)) / ((1 − α)·T(γ)) (Leviathan et al.'s expected
 * tokens per round over the round's measured cost). Measurements decay, so a session that moves
 * from prose to arithmetic follows its acceptance.
 *
 * <p>T(γ) is fitted by decayed least squares ({@link RoundCosts}, which several generations may
 * share), which needs rounds of more than one length: every {@value #EXPLORE_EVERY}th round tries
 * a neighbour of the current choice.
 */
public final class DraftLength implements DraftPolicy {
  static final int EXPLORE_EVERY = 8;
  private static final double DECAY = 0.93; // acceptance, per round: about the last 15 rounds count
  private final int max;
  private int current;
  private int rounds;
  // acceptance: decayed counts of draft tokens kept and examined (kept + the first rejection)
  private double kept = 1;
  private double examined = 2; // prior: α = 0.5, worth two tokens
  private final RoundCosts costs;

  /**
   * @param max the longest draft allowed
   * @param start the first rounds' length, before anything is measured
   */
  public DraftLength(int max, int start) {
    this(max, start, null);
  }

  /** @param costs the round-time fit, possibly shared with other generations on the same models; null = one of its own */
  public DraftLength(int max, int start, RoundCosts costs) {
    if (max < 1 || start < 1 || start > max) throw new IllegalArgumentException("draft lengths 1 <= start <= max, got " + start + ", " + max);
    this.max = max;
    this.costs = costs != null ? costs : new RoundCosts(DECAY);
    this.current = start;
    int known = best();
    if (known > 0) current = known;
  }

  @Override
  public int next() {
    if (rounds > 0 && rounds % EXPLORE_EVERY == 0) {
      // a neighbour of the choice, alternately above and below, so that the fit sees the slope
      int step = (rounds / EXPLORE_EVERY) % 2 == 0 ? 1 : -1;
      int n = current + step;
      return n < 1 || n > max ? current - step : n;
    }
    return current;
  }

  @Override
  public void observe(int gamma, int accepted, boolean rejected, long nanos) {
    kept = kept * DECAY + accepted;
    examined = examined * DECAY + accepted + (rejected ? 1 : 0);
    costs.observe(gamma, nanos / 1e9);
    rounds++;
    int b = best();
    if (b > 0) current = b;
  }

  /** The acceptance measured so far. */
  public double alpha() {
    return Math.min(0.99, Math.max(0.01, kept / examined));
  }

  /** The draft length that maximises expected tokens per second under the current fit; 0 without one. */
  int best() {
    double[] ab = costs.fit();
    return ab == null ? 0 : optimum(alpha(), ab[0], ab[1], max);
  }

  /** The length in [1, max] with the most expected tokens per second at acceptance α and round cost a + b·γ. */
  static int optimum(double alpha, double a, double b, int max) {
    int best = 1;
    double bestRate = 0;
    for (int g = 1; g <= max; g++) {
      double rate = Speculative.expectedTokensPerRound(alpha, g) / (a + b * g);
      if (rate > bestRate) {
        bestRate = rate;
        best = g;
      }
    }
    return best;
  }
}
