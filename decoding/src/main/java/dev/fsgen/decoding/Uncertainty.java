package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * How unsure a model is about the next token, from its own (temperature 1) distribution: the
 * features FS-GEN relates to where System 2 is needed, and what the routers decide on.
 *
 * @param entropy in nats
 * @param top1 the largest probability
 * @param margin top-1 minus top-2 probability
 * @param topK the largest probabilities, descending: [min(K, vocab)]
 */
public record Uncertainty(double entropy, double top1, double margin, double[] topK) {
  /** Probabilities kept for a learned router. */
  public static final int K = 8;

  public static Uncertainty of(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
    double entropy = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
      if (p[i] > 0) entropy -= p[i] * Math.log(p[i]);
    }
    double[] top = topK(p, Math.min(K, p.length));
    return new Uncertainty(entropy, top[0], top.length > 1 ? top[0] - top[1] : top[0], top);
  }

  private static double[] topK(double[] p, int k) {
    double[] top = new double[k]; // descending; insertion keeps it sorted
    Arrays.fill(top, -1);
    for (double x : p) {
      if (x <= top[k - 1]) continue;
      int i = k - 1;
      while (i > 0 && top[i - 1] < x) {
        top[i] = top[i - 1];
        i--;
      }
      top[i] = x;
    }
    return top;
  }
}
