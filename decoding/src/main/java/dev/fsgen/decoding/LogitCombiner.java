package dev.fsgen.decoding;

/**
 * The pure functions that combine System 1's and System 2's next-token logits into one score per
 * token. Tokens a combination rules out score negative infinity, which every sampler reads as
 * probability zero.
 */
public final class LogitCombiner {
  private LogitCombiner() {}

  /**
   * Contrastive decoding as Li et al. (2023) define it: over the plausibility set
   * {x : p_L(x) >= alpha max p_L}, score log p_L(x) - beta log p_S(x).
   *
   * @param large System 2's logits (the expert): [vocab]
   * @param small System 1's logits (the amateur): [vocab]
   */
  public static float[] contrastiveLi(float[] large, float[] small, double alpha, double beta) {
    checkSame(large, small);
    double[] logPL = logSoftmax(large);
    double[] logPS = logSoftmax(small);
    double cut = plausibilityCut(logPL, alpha);
    float[] out = new float[large.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = logPL[i] >= cut ? (float) (logPL[i] - beta * logPS[i]) : Float.NEGATIVE_INFINITY;
    }
    return out;
  }

  /**
   * Contrastive decoding in FS-GEN's form: logits_S + beta (logits_L - logits_S), over the same
   * plausibility set as {@link #contrastiveLi}.
   */
  public static float[] contrastiveFsGen(float[] large, float[] small, double alpha, double beta) {
    checkSame(large, small);
    double[] logPL = logSoftmax(large);
    double cut = plausibilityCut(logPL, alpha);
    float[] out = new float[large.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = logPL[i] >= cut ? (float) (small[i] + beta * (large[i] - small[i])) : Float.NEGATIVE_INFINITY;
    }
    return out;
  }

  /**
   * Proxy tuning (Liu et al. 2024) / emulated fine-tuning (Mitchell et al. 2023): the large base
   * model steered by the difference the tuning made to the small one,
   * large_base + alpha (small_tuned - small_base).
   */
  public static float[] proxy(float[] largeBase, float[] smallTuned, float[] smallBase, double alpha) {
    checkSame(largeBase, smallTuned);
    checkSame(largeBase, smallBase);
    float[] out = new float[largeBase.length];
    for (int i = 0; i < out.length; i++) out[i] = (float) (largeBase[i] + alpha * (smallTuned[i] - smallBase[i]));
    return out;
  }

  /** log softmax in double: [vocab]. */
  static double[] logSoftmax(float[] logits) {
    double log = Sampler.logSumExp(logits);
    double[] out = new double[logits.length];
    for (int i = 0; i < out.length; i++) out[i] = logits[i] - log;
    return out;
  }

  /** log(alpha max p): tokens at or above it are plausible. */
  private static double plausibilityCut(double[] logP, double alpha) {
    double best = Double.NEGATIVE_INFINITY;
    for (double l : logP) best = Math.max(best, l);
    return best + Math.log(alpha);
  }

  private static void checkSame(float[] a, float[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("logits over " + a.length + " and " + b.length + " tokens cannot be combined");
  }
}
