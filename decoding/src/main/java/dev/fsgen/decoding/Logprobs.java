package dev.fsgen.decoding;

/**
 * Log-probabilities of generated tokens, which every strategy reports from the distribution it drew
 * the token from:
 * <ul>
 *   <li>sampled: the sampling distribution itself, after penalties, temperature, top-k and top-p
 *       (speculative sampling: System 2's, which every kept or resampled token follows exactly);
 *   <li>greedy: the temperature-1 softmax of the penalised logits the argmax was taken over (the
 *       greedy "distribution" puts all mass on one token, which says nothing).
 * </ul>
 * Contrastive decoding and proxy tuning report their combined scores' distribution; the gated
 * handoff the distribution of whichever model produced the token.
 */
public final class Logprobs {
  /** The most alternatives a request may ask for (OpenAI's top_logprobs bound). */
  public static final int MAX_TOP = 20;

  private Logprobs() {}

  /** The log-probabilities a token chosen from {@code logits} (penalised already) under {@code params} reports: [vocab]. */
  public static float[] ofLogits(float[] logits, SamplingParams params) {
    if (!params.greedy()) return ofDistribution(Sampler.probabilities(logits, params));
    double norm = Sampler.logSumExp(logits);
    float[] out = new float[logits.length];
    for (int i = 0; i < out.length; i++) out[i] = (float) (logits[i] - norm);
    return out;
  }

  /** log p: [vocab]; a token of probability zero gets negative infinity. */
  public static float[] ofDistribution(float[] p) {
    float[] out = new float[p.length];
    for (int i = 0; i < out.length; i++) out[i] = p[i] > 0 ? (float) Math.log(p[i]) : Float.NEGATIVE_INFINITY;
    return out;
  }

  /** Token {@code id} of a full vector, with the {@code top} most likely tokens. */
  public static TokenLogprobs pick(float[] logprobs, int id, int top) {
    int[] best = mostLikely(logprobs, top);
    float[] values = new float[best.length];
    for (int i = 0; i < best.length; i++) values[i] = logprobs[best[i]];
    return new TokenLogprobs(id, logprobs[id], best, values);
  }

  /**
   * The {@code k} highest entries' indices, highest first, ties to the lowest index, skipping
   * negative infinity (probability zero): [at most k].
   */
  static int[] mostLikely(float[] logprobs, int k) {
    int[] best = new int[Math.min(k, logprobs.length)];
    int n = 0;
    for (int i = 0; i < logprobs.length; i++) {
      float x = logprobs[i];
      if (x == Float.NEGATIVE_INFINITY || Float.isNaN(x)) continue;
      if (n == best.length && (n == 0 || x <= logprobs[best[n - 1]])) continue;
      int at = n == best.length ? n - 1 : n++;
      while (at > 0 && logprobs[best[at - 1]] < x) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = i;
    }
    return java.util.Arrays.copyOf(best, n);
  }
}
