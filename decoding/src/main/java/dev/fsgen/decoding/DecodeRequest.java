package dev.fsgen.decoding;

/**
 * What to generate, independent of the strategy.
 *
 * @param maxTokens tokens to generate at most
 * @param sampling greedy or sampled, and how
 * @param seed drives every random choice of the generation
 * @param eosId the end-of-text token, or -1 to never stop on one
 */
public record DecodeRequest(int maxTokens, SamplingParams sampling, long seed, int eosId) {
  public DecodeRequest {
    if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
    if (sampling == null) throw new IllegalArgumentException("sampling must be given");
  }
}
