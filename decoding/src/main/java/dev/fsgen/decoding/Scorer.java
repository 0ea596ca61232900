package dev.fsgen.decoding;

/**
 * The role of a model that scores the next token: what the logit-combining strategies
 * (contrastive decoding, proxy tuning), the gated handoff and the single-model baselines need.
 */
public interface Scorer extends TokenModel {
  /** A new, empty session. Close it to free its cache. */
  Session openScoring();

  /** Each call appends {@code added} (at least one token) and scores the position after them. */
  interface Session extends ModelSession {
    /** The next-token logits: [vocab]. */
    float[] logits(int[] added);

    /** The most likely next token (ties to the lowest id). */
    int argmax(int[] added);

    /** The next-token distribution under {@code params}: [vocab]. */
    float[] distribution(int[] added, SamplingParams params);

    /**
     * The most likely next token after each added token: [added.length]; -1 where a remote model
     * served the position from its cache and did not score it.
     */
    int[] argmaxAfterEach(int[] added);
  }
}
