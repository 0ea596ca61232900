package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Logits to probabilities and tokens. Pure functions; randomness is injected so that a seeded
 * generator reproduces a generation exactly.
 */
public final class Sampler {
  private Sampler() {}

  /** Index of the largest logit; ties go to the lowest index, as torch.argmax does. */
  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }

  /**
   * The distribution {@code params} samples from: softmax(logits / T) restricted to top-k and
   * top-p and renormalised. For greedy params, all mass on the argmax.
   */
  public static double[] distribution(float[] logits, SamplingParams params) {
    int v = logits.length;
    double[] p = new double[v];
    if (params.greedy()) {
      p[argmax(logits)] = 1;
      return p;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double sum = 0;
    for (int i = 0; i < v; i++) sum += p[i] = Math.exp((logits[i] - max) / params.temperature());
    for (int i = 0; i < v; i++) p[i] /= sum;
    if ((params.topK() > 0 && params.topK() < v) || params.topP() < 1) truncate(p, params);
    return p;
  }

  private static void truncate(double[] p, SamplingParams params) {
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < p.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> p[b] != p[a] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    int keep = params.topK() > 0 ? Math.min(params.topK(), p.length) : p.length;
    double cum = 0;
    for (int r = 0; r < keep; r++) {
      cum += p[order[r]];
      if (cum >= params.topP()) {
        keep = r + 1;
        break;
      }
    }
    double kept = 0;
    for (int r = 0; r < keep; r++) kept += p[order[r]];
    for (int r = keep; r < p.length; r++) p[order[r]] = 0;
    for (int r = 0; r < keep; r++) p[order[r]] /= kept;
  }

  /** Draws an index from a distribution by inverse CDF with one uniform draw. */
  public static int draw(double[] p, RandomGenerator rng) {
    double u = rng.nextDouble();
    double cum = 0;
    int last = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] <= 0) continue;
      cum += p[i];
      last = i;
      if (u < cum) return i;
    }
    return last; // rounding left u above the total: the last token with mass
  }

  /**
   * {@link #distribution} rounded to float: the form distributions travel in, in process and over
   * the network alike, so that both paths draw the same tokens.
   */
  public static float[] probabilities(float[] logits, SamplingParams params) {
    double[] p = distribution(logits, params);
    float[] out = new float[p.length];
    for (int i = 0; i < p.length; i++) out[i] = (float) p[i];
    return out;
  }

  /** log Σ exp(logits), computed stably in double: the normaliser of a temperature-1 log-softmax. */
  public static double logSumExp(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double sum = 0;
    for (float l : logits) sum += Math.exp(l - max);
    return max + Math.log(sum);
  }

  /** The temperature-1 softmax probability of one token. */
  public static double softmaxAt(float[] logits, int id) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double sum = 0;
    for (float l : logits) sum += Math.exp(l - max);
    return Math.exp(logits[id] - max) / sum;
  }

  /** {@link #draw(double[], RandomGenerator)} over float probabilities (which need not sum to exactly 1). */
  public static int draw(float[] p, RandomGenerator rng) {
    return draw(p, rng.nextDouble());
  }

  /** {@link #draw(float[], RandomGenerator)} with the uniform draw {@code uniform} in [0, 1) given. */
  public static int draw(float[] p, double uniform) {
    double total = 0;
    for (float x : p) if (x > 0) total += x;
    if (!(total > 0)) throw new IllegalArgumentException("a distribution with no mass cannot be sampled");
    double u = uniform * total;
    double cum = 0;
    int last = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] <= 0) continue;
      cum += p[i];
      last = i;
      if (u < cum) return i;
    }
    return last;
  }

  public static int sample(float[] logits, SamplingParams params, RandomGenerator rng) {
    return params.greedy() ? argmax(logits) : draw(distribution(logits, params), rng);
  }
}
