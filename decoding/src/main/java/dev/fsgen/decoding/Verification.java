package dev.fsgen.decoding;

/**
 * System 2's scores over a draft: one row per position, after the context and after each draft
 * token.
 *
 * @param argmax the most likely token at each position: [gamma + 1]
 * @param distributions the next-token distribution at each position under the sampling parameters,
 *     [gamma + 1][vocab]; null for greedy decoding, which needs only the argmax
 */
public record Verification(int[] argmax, float[][] distributions) {
  public Verification {
    if (argmax.length == 0) throw new IllegalArgumentException("a verification scores at least one position");
    if (distributions != null && distributions.length != argmax.length) {
      throw new IllegalArgumentException("distributions for " + distributions.length + " positions, argmax for " + argmax.length);
    }
  }

  /**
   * The verification from the logits of a context followed by a draft.
   *
   * @param rows logits after each appended token: [context + draft][vocab]
   */
  public static Verification score(float[][] rows, int contextLength, int draftLength, SamplingParams params) {
    int first = contextLength - 1;
    int[] argmax = new int[draftLength + 1];
    float[][] distributions = params.greedy() ? null : new float[draftLength + 1][];
    for (int i = 0; i <= draftLength; i++) {
      argmax[i] = Sampler.argmax(rows[first + i]);
      if (distributions != null) distributions[i] = Sampler.probabilities(rows[first + i], params);
    }
    return new Verification(argmax, distributions);
  }

  public int positions() {
    return argmax.length;
  }
}
