package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The port every decoding strategy sees: a next-token model that keeps per-sequence state. It may
 * run in this process or behind a network call; strategies cannot tell and must not care.
 *
 * <p>The default methods are the in-process meaning of each call. A remote model answers each of
 * them with one round trip, and its server runs these same defaults, so both paths give the same
 * tokens.
 */
public interface LanguageModel {
  int vocabSize();

  /** The longest sequence (prompt plus generated tokens) the model accepts. */
  int contextLength();

  /** A new, empty sequence. Close it to free its cache. */
  Sequence newSequence();

  /** One sequence's state: the tokens appended so far and whatever cache the model keeps for them. */
  interface Sequence extends AutoCloseable {
    /** Appends tokens and returns the next-token logits after the last one: [vocab]. */
    float[] append(int[] tokens);

    /** Appends tokens and returns the next-token logits after each of them: [tokens.length][vocab]. */
    float[][] appendAll(int[] tokens);

    /** Forgets every token after the first {@code length}. */
    void rollback(int length);

    int length();

    @Override
    void close();

    /**
     * Appends tokens and returns the most likely next token after each of them: [tokens.length];
     * -1 where a remote model served the position from a cache and did not score it.
     */
    default int[] argmaxAfterEach(int[] tokens) {
      float[][] rows = appendAll(tokens);
      int[] out = new int[rows.length];
      for (int i = 0; i < rows.length; i++) out[i] = Sampler.argmax(rows[i]);
      return out;
    }

    /** Appends tokens and returns the most likely next token. */
    default int nextArgmax(int[] tokens) {
      return Sampler.argmax(append(tokens));
    }

    /** Appends tokens and returns the next-token distribution under {@code params}: [vocab]. */
    default float[] nextDistribution(int[] tokens, SamplingParams params) {
      return Sampler.probabilities(append(tokens), params);
    }

    /**
     * Appends {@code context} (at least one token) then {@code draft}, in one forward pass, and
     * scores the draft.length + 1 positions after the context's last token and after each draft
     * token: what speculative decoding needs from System 2.
     */
    default Verification verify(int[] context, int[] draft, SamplingParams params) {
      if (context.length == 0) throw new IllegalArgumentException("verify needs at least one context token");
      int[] all = Arrays.copyOf(context, context.length + draft.length);
      System.arraycopy(draft, 0, all, context.length, draft.length);
      return Verification.score(appendAll(all), context.length, draft.length, params);
    }

    /**
     * {@link #verify}, started now and answered later where the model computes elsewhere (behind a
     * network call), so that the caller can use another model meanwhile; in process it runs now,
     * as there is nothing to overlap. The sequence must not be used again until the answer is in.
     */
    default CompletableFuture<Verification> verifyLater(int[] context, int[] draft, SamplingParams params) {
      return CompletableFuture.completedFuture(verify(context, draft, params));
    }

    /**
     * Appends {@code tokens} (at least one) and proposes {@code gamma} tokens after them, greedy or
     * sampled, the proposal at sequence position n with randomness keyed by {@code seed} and n
     * ({@link PositionRandom}). The first gamma - 1 proposals are appended
     * (the last one needs no scores yet), so a caller that keeps all of them need only send the
     * last one again.
     */
    default Draft draft(int[] tokens, int gamma, SamplingParams params, long seed, boolean withDistributions) {
      return draft(tokens, gamma, params, seed, withDistributions, true);
    }

    /**
     * {@link #draft(int[], int, SamplingParams, long, boolean)}, leaving out the proposed tokens'
     * probabilities when {@code withProbabilities} is false: a greedy draft would otherwise pay for a
     * softmax over the vocabulary at every position only to report them.
     */
    default Draft draft(int[] tokens, int gamma, SamplingParams params, long seed, boolean withDistributions,
        boolean withProbabilities) {
      Drafter d = new Drafter(tokens, length() + tokens.length, gamma, params, seed, withDistributions, withProbabilities);
      while (!d.done()) d.accept(append(d.input()));
      return d.draft();
    }
  }
}
