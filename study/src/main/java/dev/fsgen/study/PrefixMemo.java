package dev.fsgen.study;

import dev.fsgen.decoding.DraftPolicy;
import dev.fsgen.decoding.InProcessModel;
import dev.fsgen.decoding.Proposer;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.Scorer;
import dev.fsgen.decoding.System1Model;
import dev.fsgen.decoding.System2Model;
import dev.fsgen.decoding.Verifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A model that remembers its next-token scores by prefix while one problem is swept. The router
 * sweep runs the gated handoff once per router and threshold (about 70 runs) on every problem, and
 * those runs ask both models about the same few prefixes over and over: scored once, each answer
 * is reused by every later run of the problem. All runs share one cache of the model, so a run
 * that leaves the earlier runs' path rolls it back to where they part instead of reading the
 * prompt again. {@link #forget()} before the next problem.
 *
 * <p>An answer is remembered as the call that asked for it: logits as logits, an argmax as an
 * argmax (the gated handoff's greedy System 2 step asks for the argmax, and one pass over a block
 * answers it at every position of the block, which is remembered too). A remembered prefix may
 * have been scored in another block than a fresh run would score it in; the scores then differ by
 * float rounding only ({@code PrefixMemoTest} checks the sweep's outputs against fresh runs).
 * Distributions are computed on the shared cache but not remembered (they depend on the request),
 * and drafting and verifying open the model's own sessions: the sweep only scores.
 */
final class PrefixMemo implements System1Model, System2Model {
  private final InProcessModel model;
  private final Map<Prefix, float[]> logits = new HashMap<>();
  private final Map<Prefix, Integer> argmax = new HashMap<>();
  /** The one cache every view of the current problem scores on, opened when first needed. */
  private Scorer.Session shared;
  /** The tokens {@link #shared} holds. */
  private int[] sharedTokens = new int[0];
  private long asked;
  private long answered;

  PrefixMemo(InProcessModel model) {
    this.model = model;
  }

  /** Forgets every answer and frees the cache: the next problem starts afresh. */
  void forget() {
    logits.clear();
    argmax.clear();
    if (shared != null) shared.close();
    shared = null;
    sharedTokens = new int[0];
  }

  /** Share of the scoring calls answered from memory since this memo was made. */
  double reused() {
    return asked == 0 ? 0 : (double) answered / asked;
  }

  @Override
  public int vocabSize() {
    return model.vocabSize();
  }

  @Override
  public int contextLength() {
    return model.contextLength();
  }

  @Override
  public Scorer.Session openScoring() {
    return new View();
  }

  @Override
  public Proposer.Session openDrafting(DraftPolicy lengths) {
    return model.openDrafting(lengths);
  }

  @Override
  public Verifier.Session openVerifying() {
    return model.openVerifying();
  }

  /**
   * Brings the shared cache to {@code full}, keeping at most {@code maxKeep} of the tokens it holds
   * (at least the last token of {@code full} is sent, since only an appended token is scored).
   *
   * @return the tokens kept: the block to send is {@code full[kept..]}
   */
  private int align(int[] full, int maxKeep) {
    if (shared == null) shared = model.openScoring();
    int keep = 0;
    int limit = Math.min(Math.min(sharedTokens.length, full.length - 1), maxKeep);
    while (keep < limit && sharedTokens[keep] == full[keep]) keep++;
    shared.rollback(keep);
    sharedTokens = full;
    return keep;
  }

  private float[] logits(int[] full) {
    asked++;
    float[] known = logits.get(new Prefix(full));
    if (known != null) {
      answered++;
      return known.clone();
    }
    int kept = align(full, full.length - 1);
    float[] row = shared.logits(Arrays.copyOfRange(full, kept, full.length)); // [vocab]
    logits.put(new Prefix(full), row.clone());
    return row;
  }

  /** The argmax after each of {@code full}'s tokens from {@code from} on: [full.length - from]. */
  private int[] argmaxes(int[] full, int from) {
    asked++;
    int[] out = new int[full.length - from];
    boolean all = true;
    for (int i = 0; i < out.length && all; i++) {
      Integer a = argmax.get(new Prefix(Arrays.copyOf(full, from + i + 1)));
      if (a == null) all = false;
      else out[i] = a;
    }
    if (all) {
      answered++;
      return out;
    }
    int kept = align(full, from);
    int[] block = shared.argmaxAfterEach(Arrays.copyOfRange(full, kept, full.length)); // [full.length - kept]
    for (int i = 0; i < block.length; i++) {
      if (block[i] >= 0) argmax.put(new Prefix(Arrays.copyOf(full, kept + i + 1)), block[i]);
    }
    return Arrays.copyOfRange(block, from - kept, block.length);
  }

  /** One run's session: its own tokens, every score asked of the memo. */
  private final class View implements Scorer.Session {
    private int[] tokens = new int[0];
    private int length;

    private int[] extend(int[] added) {
      if (added.length == 0) throw new IllegalArgumentException("at least one token must be added");
      int[] full = Arrays.copyOf(tokens, length + added.length);
      System.arraycopy(added, 0, full, length, added.length);
      tokens = full;
      length = full.length;
      return full;
    }

    @Override
    public float[] logits(int[] added) {
      return PrefixMemo.this.logits(extend(added));
    }

    @Override
    public int argmax(int[] added) {
      int[] full = extend(added);
      return argmaxes(full, full.length - 1)[0];
    }

    @Override
    public float[] distribution(int[] added, SamplingParams params) {
      int[] full = extend(added);
      int kept = align(full, full.length - 1);
      return shared.distribution(Arrays.copyOfRange(full, kept, full.length), params);
    }

    @Override
    public int[] argmaxAfterEach(int[] added) {
      int from = length;
      return argmaxes(extend(added), from);
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public void rollback(int length) {
      if (length < 0 || length > this.length) throw new IllegalArgumentException("cannot roll back to " + length + " of " + this.length);
      this.length = length;
      this.tokens = Arrays.copyOf(tokens, length);
    }

    @Override
    public void close() {
      // the shared cache outlives the run: the next run of the problem reuses it
    }
  }

  /** A token sequence as a map key. */
  private record Prefix(int[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Prefix p && Arrays.equals(tokens, p.tokens);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
      return Arrays.toString(tokens);
    }
  }
}
