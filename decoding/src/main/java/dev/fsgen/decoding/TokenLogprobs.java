package dev.fsgen.decoding;

/**
 * A generated token's log-probability and the most likely tokens at its position, under the
 * distribution it was drawn from ({@link Logprobs} says which that is for each strategy).
 *
 * @param id the token
 * @param logprob its natural log-probability
 * @param topIds up to the requested number of most likely tokens, most likely first (ties to the
 *     lowest id); tokens of probability zero (cut by top-k or top-p) are never listed
 * @param topLogprobs their log-probabilities: [topIds.length]
 */
public record TokenLogprobs(int id, float logprob, int[] topIds, float[] topLogprobs) {
  public TokenLogprobs {
    if (topIds.length != topLogprobs.length) throw new IllegalArgumentException(topIds.length + " ids, " + topLogprobs.length + " log-probabilities");
  }
}
