package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A model in this process in every role, built on its {@link CachedSequence}: the exact local
 * adapter of each port. A model service runs the same {@link Drafter} and
 * {@link Verification#score} over the same sequences, so a remote role answers as this one does.
 */
public abstract class InProcessModel implements System1Model, System2Model {
  /** A new, empty sequence of this model. */
  protected abstract CachedSequence newSequence();

  @Override
  public Scorer.Session openScoring() {
    return new Local(newSequence(), null);
  }

  @Override
  public Proposer.Session openDrafting(DraftPolicy lengths) {
    if (lengths == null) throw new IllegalArgumentException("a draft-length policy must be given");
    return new Local(newSequence(), lengths);
  }

  @Override
  public Verifier.Session openVerifying() {
    return new Local(newSequence(), null);
  }

  /** One sequence in whichever role it was opened for. */
  private static final class Local implements Scorer.Session, Proposer.Session, Verifier.Session {
    private final CachedSequence sequence;
    private final DraftPolicy lengths;
    /** The sequence's tokens, which penalties count: [length()] valid. */
    private int[] tokens = new int[64];

    Local(CachedSequence sequence, DraftPolicy lengths) {
      this.sequence = sequence;
      this.lengths = lengths;
    }

    /** Appends to the sequence, remembering the tokens: the logits after each, [added][vocab]. */
    private float[][] appendAll(int[] added) {
      int at = sequence.length();
      float[][] rows = sequence.appendAll(added);
      if (tokens.length < at + added.length) tokens = Arrays.copyOf(tokens, Math.max(at + added.length, 2 * tokens.length));
      System.arraycopy(added, 0, tokens, at, added.length);
      return rows;
    }

    private float[] append(int[] added) {
      float[][] rows = appendAll(added);
      return rows[rows.length - 1];
    }

    @Override
    public float[] logits(int[] added) {
      return append(added);
    }

    @Override
    public int argmax(int[] added) {
      return Sampler.argmax(append(added));
    }

    @Override
    public float[] distribution(int[] added, SamplingParams params) {
      float[] logits = append(added);
      return Sampler.probabilities(TokenCounts.apply(TokenCounts.of(params, tokens, sequence.length()), logits), params);
    }

    @Override
    public int[] argmaxAfterEach(int[] added) {
      float[][] rows = appendAll(added); // [added][vocab]
      int[] out = new int[rows.length];
      for (int i = 0; i < rows.length; i++) out[i] = Sampler.argmax(rows[i]);
      return out;
    }

    @Override
    public DraftPolicy lengths() {
      return lengths;
    }

    @Override
    public Draft draft(int[] added, int gamma, SamplingParams params, long seed, boolean withDistributions,
        boolean withProbabilities) {
      Drafter d = new Drafter(added, sequence.length() + added.length, gamma, params, seed, withDistributions, withProbabilities,
          tokens);
      while (!d.done()) d.accept(append(d.input()));
      return d.draft();
    }

    /** Computed now: in process there is nothing to overlap. */
    @Override
    public CompletableFuture<Verification> verify(int[] context, int[] draft, SamplingParams params, int topLogprobs) {
      if (context.length == 0) throw new IllegalArgumentException("verify needs at least one context token");
      float[][] rows = appendAll(Verification.concat(context, draft));
      int[] whole = Arrays.copyOf(tokens, sequence.length());
      return CompletableFuture.completedFuture(Verification.score(rows, whole, draft.length, params, topLogprobs));
    }

    @Override
    public int length() {
      return sequence.length();
    }

    @Override
    public void rollback(int length) {
      sequence.rollback(length);
    }

    @Override
    public void close() {
      sequence.close();
    }
  }
}
