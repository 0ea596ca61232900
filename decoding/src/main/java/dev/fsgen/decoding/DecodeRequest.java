package dev.fsgen.decoding;

import java.util.Set;

/**
 * What to generate, independent of the strategy.
 *
 * @param maxTokens tokens to generate at most
 * @param sampling greedy or sampled, and how
 * @param seed drives every random choice of the generation
 * @param eosIds the end-of-text tokens: the generation ends at the first of them, which is not
 *     emitted; empty = never stop on one. Checkpoints name several (Llama 3.1 Instruct three).
 * @param stop ends the generation on its text (stop sequences); {@link StopRule#NONE} = never
 * @param topLogprobs report each token's log-probability with this many most likely alternatives
 *     (0 to {@link Logprobs#MAX_TOP}); negative = no log-probabilities
 */
public record DecodeRequest(int maxTokens, SamplingParams sampling, long seed, Set<Integer> eosIds, StopRule stop,
    int topLogprobs) {
  public DecodeRequest {
    if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
    if (sampling == null) throw new IllegalArgumentException("sampling must be given");
    eosIds = checkedEosIds(eosIds);
    if (stop == null) throw new IllegalArgumentException("stop must be given (StopRule.NONE = never)");
    if (topLogprobs > Logprobs.MAX_TOP) {
      throw new IllegalArgumentException("top_logprobs must be in [0, " + Logprobs.MAX_TOP + "], got " + topLogprobs);
    }
    if (topLogprobs < 0) topLogprobs = -1;
  }

  /** Without log-probabilities. */
  public DecodeRequest(int maxTokens, SamplingParams sampling, long seed, Set<Integer> eosIds, StopRule stop) {
    this(maxTokens, sampling, seed, eosIds, stop, -1);
  }

  /** Without stop sequences. */
  public DecodeRequest(int maxTokens, SamplingParams sampling, long seed, Set<Integer> eosIds) {
    this(maxTokens, sampling, seed, eosIds, StopRule.NONE);
  }

  /** The same request drawing its randomness from another seed. */
  public DecodeRequest withSeed(long seed) {
    return new DecodeRequest(maxTokens, sampling, seed, eosIds, stop, topLogprobs);
  }

  /** The same request reporting log-probabilities with {@code top} alternatives (negative = none). */
  public DecodeRequest withTopLogprobs(int top) {
    return new DecodeRequest(maxTokens, sampling, seed, eosIds, stop, top);
  }

  public boolean wantsLogprobs() {
    return topLogprobs >= 0;
  }

  /** Whether {@code id} ends the text. */
  public boolean endsText(int id) {
    return eosIds.contains(id);
  }

  /** An immutable copy of a set of end-of-text ids, each checked to be a token id. */
  static Set<Integer> checkedEosIds(Set<Integer> ids) {
    if (ids == null) throw new IllegalArgumentException("eos_ids must be given (empty = never stop)");
    for (Integer id : ids) {
      if (id == null || id < 0) throw new IllegalArgumentException("eos_ids holds " + id + ", not a token id (>= 0)");
    }
    return Set.copyOf(ids);
  }
}
