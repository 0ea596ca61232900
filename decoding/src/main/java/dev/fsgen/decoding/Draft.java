package dev.fsgen.decoding;

/**
 * System 1's proposal.
 *
 * @param tokens the proposed tokens: [gamma]
 * @param probabilities each proposed token's probability under the sampling parameters (the
 *     temperature-1 softmax for a greedy draft): [gamma]; null when not asked for
 * @param greedy System 1's argmax at each position, equal to tokens for a greedy draft: [gamma]
 * @param distributions the full distribution at each position, [gamma][vocab], or null when not asked for
 * @param previousGreedy System 1's argmax at the position of the last token it was given, or -1
 *     when it was given a single token (the position was scored by an earlier call)
 */
public record Draft(int[] tokens, float[] probabilities, int[] greedy, float[][] distributions, int previousGreedy) {
  public Draft {
    if (tokens.length == 0) throw new IllegalArgumentException("a draft holds at least one token");
    if ((probabilities != null && probabilities.length != tokens.length) || greedy.length != tokens.length
        || (distributions != null && distributions.length != tokens.length)) {
      throw new IllegalArgumentException("draft arrays disagree on the draft length " + tokens.length);
    }
  }

  public int gamma() {
    return tokens.length;
  }
}
