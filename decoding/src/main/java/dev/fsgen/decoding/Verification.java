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

  public int positions() {
    return argmax.length;
  }
}
