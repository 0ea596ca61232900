package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A real (if tiny) language model for strategy tests: the next-token logits depend on the last
 * token through a seeded random table. Exact next-token probabilities are cheap to compute, which
 * makes exact statistical tests possible; it counts its calls so tests can check call budgets.
 */
final class BigramModel extends InProcessModel {
  private final float[][] table; // [vocab][vocab]: logits of the next token given the last one
  private final int context;
  int calls;
  int openSequences;

  BigramModel(int vocab, int context, double scale, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    table = new float[vocab][vocab];
    for (float[] row : table) for (int j = 0; j < vocab; j++) row[j] = (float) (scale * gaussian(rng));
    this.context = context;
  }

  /** A model close to {@code base}: its logits plus noise of the given size. */
  BigramModel(BigramModel base, double noise, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    table = new float[base.table.length][];
    for (int i = 0; i < table.length; i++) {
      table[i] = base.table[i].clone();
      for (int j = 0; j < table[i].length; j++) table[i][j] += (float) (noise * gaussian(rng));
    }
    this.context = base.context;
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  float[] logitsAfter(int token) {
    return table[token].clone();
  }

  @Override
  public int vocabSize() {
    return table.length;
  }

  @Override
  public int contextLength() {
    return context;
  }

  @Override
  protected CachedSequence newSequence() {
    openSequences++;
    return new CachedSequence() {
      private int[] tokens = new int[0];
      private boolean closed;

      @Override
      public float[][] appendAll(int[] added) {
        if (added.length == 0) throw new IllegalArgumentException("nothing to append");
        calls++;
        int start = tokens.length;
        tokens = Arrays.copyOf(tokens, start + added.length);
        System.arraycopy(added, 0, tokens, start, added.length);
        if (tokens.length > context) throw new IllegalStateException("context of " + context + " exceeded: " + tokens.length);
        float[][] rows = new float[added.length][];
        for (int i = 0; i < added.length; i++) rows[i] = logitsAfter(added[i]);
        return rows;
      }

      @Override
      public void rollback(int length) {
        if (length < 0 || length > tokens.length) throw new IllegalArgumentException("rollback to " + length);
        tokens = Arrays.copyOf(tokens, length);
      }

      @Override
      public int length() {
        return tokens.length;
      }

      @Override
      public void close() {
        if (!closed) openSequences--;
        closed = true;
      }
    };
  }
}
