package dev.fsgen.decoding;

import java.util.concurrent.CompletableFuture;

/** System 2's role in speculative decoding: it scores a draft, every position of it in one pass. */
public interface Verifier extends TokenModel {
  /** A new, empty session. Close it to free its cache. */
  Session openVerifying();

  /** One generation's verifications. */
  interface Session extends ModelSession {
    /**
     * Appends {@code context} (at least one token) then {@code draft} (possibly none) in one forward
     * pass, and scores the draft.length + 1 positions after the context's last token and after each
     * draft token. The answer may come later (a remote model computes elsewhere, so the caller can
     * use System 1 meanwhile); the session must not be used again until it is in. The penalties in
     * {@code params} count the session's whole sequence before each position.
     *
     * @param topLogprobs greedy: report at each position the log-probabilities of this many most
     *     likely tokens, the draft token and the argmax ({@link Verification#logprobs}); negative = none
     */
    CompletableFuture<Verification> verify(int[] context, int[] draft, SamplingParams params, int topLogprobs);

    /** {@link #verify(int[], int[], SamplingParams, int)} without log-probabilities. */
    default CompletableFuture<Verification> verify(int[] context, int[] draft, SamplingParams params) {
      return verify(context, draft, params, -1);
    }
  }
}
