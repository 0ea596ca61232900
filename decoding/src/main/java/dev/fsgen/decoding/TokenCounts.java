package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * How often each token occurs in a sequence so far: what {@link Penalties} need. Grown one token at a
 * time as a sequence is extended, so that the positions of a draft or a verification are each
 * penalised by the text before them alone.
 */
public final class TokenCounts {
  private final Penalties penalties;
  private int length;
  /** Occurrences in the generated text (positions >= outputStart), by token id. */
  private int[] generated = new int[64];
  /** Whether the token occurs anywhere in the sequence, prompt included, by token id. */
  private boolean[] seen = new boolean[64];
  /** The distinct ids seen, in first-seen order: a penalty touches only these. */
  private int[] distinct = new int[16];
  private int distinctCount;

  private TokenCounts(Penalties penalties) {
    this.penalties = penalties;
  }

  /** The counts over {@code tokens[0, length)}; null when {@code params} carry no penalties (nothing to count). */
  public static TokenCounts of(SamplingParams params, int[] tokens, int length) {
    if (params.penalties().none()) return null;
    TokenCounts c = new TokenCounts(params.penalties());
    for (int i = 0; i < length; i++) c.add(tokens[i]);
    return c;
  }

  /** Extends the counted sequence by one token. */
  public void add(int token) {
    if (token >= seen.length) {
      int n = Math.max(token + 1, seen.length * 2);
      seen = Arrays.copyOf(seen, n);
      generated = Arrays.copyOf(generated, n);
    }
    if (!seen[token]) {
      seen[token] = true;
      if (distinctCount == distinct.length) distinct = Arrays.copyOf(distinct, distinctCount * 2);
      distinct[distinctCount++] = token;
    }
    if (length >= penalties.outputStart()) generated[token]++;
    length++;
  }

  public void addAll(int[] tokens) {
    for (int t : tokens) add(t);
  }

  /** The sequence length counted so far. */
  public int length() {
    return length;
  }

  /** The logits after the penalties: a new array, [vocab]. */
  public float[] apply(float[] logits) {
    float[] out = logits.clone();
    double r = penalties.repetition();
    for (int k = 0; k < distinctCount; k++) {
      int id = distinct[k];
      if (id >= out.length) continue;
      float x = out[id];
      if (r != 1) x = (float) (x > 0 ? x / r : x * r);
      int c = generated[id];
      if (c > 0) x = (float) (x - penalties.frequency() * c - penalties.presence());
      out[id] = x;
    }
    return out;
  }

  /** {@code logits} penalised by {@code counts}, or as they are when there are none. */
  public static float[] apply(TokenCounts counts, float[] logits) {
    return counts == null ? logits : counts.apply(logits);
  }
}
