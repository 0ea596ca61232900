package dev.fsgen.decoding;

/**
 * The wall time of a speculative round against its draft length, T(γ) = a + b·γ, fitted by decayed
 * least squares. What a round costs belongs to the deployment (the models, the machine, the
 * round trips), not to the text, so one fit can be shared by every adaptive generation of an
 * orchestrator: a new generation starts from the costs the earlier ones measured and has only its
 * own acceptance to learn. Thread-safe.
 */
public final class RoundCosts {
  private final double decay;
  private double sw, sg, sgg, st, sgt;

  /** @param decay the weight an observation keeps per later observation, in (0, 1) */
  public RoundCosts(double decay) {
    if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
    this.decay = decay;
  }

  /** A fit for many generations: about the last 100 rounds count. */
  public static RoundCosts shared() {
    return new RoundCosts(0.99);
  }

  /** One round of {@code gamma} draft tokens that took {@code seconds}. */
  public synchronized void observe(int gamma, double seconds) {
    sw = sw * decay + 1;
    sg = sg * decay + gamma;
    sgg = sgg * decay + (double) gamma * gamma;
    st = st * decay + seconds;
    sgt = sgt * decay + gamma * seconds;
  }

  /**
   * {a, b} in seconds, kept physical (a round costs something, and more with more tokens), or
   * null while the rounds seen have had a single length (no slope to go on).
   */
  public synchronized double[] fit() {
    if (sw == 0) return null;
    double var = sgg / sw - (sg / sw) * (sg / sw);
    if (var < 1e-9) return null;
    double b = (sgt / sw - (sg / sw) * (st / sw)) / var;
    double a = st / sw - b * sg / sw;
    double mean = st / sw;
    return new double[] {Math.max(a, 0.05 * mean), Math.max(b, 1e-3 * mean)};
  }
}
