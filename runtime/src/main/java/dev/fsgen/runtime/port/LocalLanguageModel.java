package dev.fsgen.runtime.port;

import dev.fsgen.decoding.CachedSequence;
import dev.fsgen.decoding.InProcessModel;
import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaModel;

/**
 * A loaded model in this process in every decoding role (the local adapter of each port): one KV
 * cache per session.
 *
 * <p>It may serve fewer tokens than its embedding has rows: published checkpoints pad the
 * embedding past their tokenizer (Qwen2.5 0.5B to 151936 rows, 7B to 152064, for one tokenizer of
 * 151665 tokens), and the rows past the tokenizer mean no text. Served with the tokenizer's size,
 * every logits row ends there, so two sizes of one family pair over the same vocabulary and no
 * padding id is ever drawn.
 */
public final class LocalLanguageModel extends InProcessModel {
  private final LlamaModel model;
  private final int vocab;

  /** Every row of the model's embedding served. */
  public LocalLanguageModel(LlamaModel model) {
    this(model, model.config().vocabSize());
  }

  /** The first {@code vocab} tokens served (a tokenizer's size, at most the embedding's rows). */
  public LocalLanguageModel(LlamaModel model, int vocab) {
    if (vocab < 1 || vocab > model.config().vocabSize()) {
      throw new IllegalArgumentException("a vocabulary of " + vocab + " for a model of " + model.config().vocabSize() + " tokens");
    }
    this.model = model;
    this.vocab = vocab;
  }

  public LlamaModel model() {
    return model;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }

  /** A new, empty sequence: what a model service leases to its sessions. */
  @Override
  public LocalSequence newSequence() {
    return new LocalSequence(model, model.newCache(1), vocab);
  }

  /**
   * Appends a block to each of several sequences of this model in one pass (see
   * {@link LlamaModel#forwardBatch}): [sequence][t_i][vocab].
   */
  public float[][][] appendAllBatch(LocalSequence[] sequences, int[][] tokens) {
    return appendAllBatch(sequences, tokens, null);
  }

  /**
   * The same for requests that may go away: {@code stop[i]} is asked before block i starts and
   * between the chunks of a long one; a stopped block's entry is null and its sequence holds part
   * of the block (see {@link LlamaModel#forwardBatch(int[][], KvCache[], java.util.function.BooleanSupplier[])}).
   */
  public float[][][] appendAllBatch(LocalSequence[] sequences, int[][] tokens, java.util.function.BooleanSupplier[] stop) {
    KvCache[] caches = new KvCache[sequences.length];
    for (int i = 0; i < caches.length; i++) {
      if (sequences[i].model != model) throw new IllegalArgumentException("sequence " + i + " belongs to another model");
      caches[i] = sequences[i].cache;
    }
    float[][][] out = model.forwardBatch(tokens, caches, stop);
    for (float[][] rows : out) if (rows != null) served(rows, vocab);
    return out;
  }

  /** Each row cut to the served vocabulary, in place: [t][vocab]. */
  private static float[][] served(float[][] rows, int vocab) {
    for (int i = 0; i < rows.length; i++) rows[i] = served(rows[i], vocab);
    return rows;
  }

  private static float[] served(float[] row, int vocab) {
    return row.length == vocab ? row : java.util.Arrays.copyOf(row, vocab);
  }

  /** A sequence whose cache size is visible, so a server can bound the memory its sessions hold. */
  public static final class LocalSequence implements CachedSequence {
    private final LlamaModel model;
    private final KvCache cache;
    private final int vocab;

    LocalSequence(LlamaModel model, KvCache cache, int vocab) {
      this.model = model;
      this.cache = cache;
      this.vocab = vocab;
    }

    @Override
    public float[] append(int[] tokens) {
      return served(model.next(tokens, cache), vocab);
    }

    @Override
    public float[][] appendAll(int[] tokens) {
      return served(model.forward(tokens, cache), vocab);
    }

    @Override
    public void rollback(int length) {
      cache.rollback(length);
    }

    @Override
    public int length() {
      return cache.length();
    }

    /**
     * An independent sequence holding the same tokens, its cache copied rather than computed again:
     * a prompt prefix shared by many requests is read once and branched for each.
     */
    public LocalSequence fork() {
      return new LocalSequence(model, cache.copy(), vocab);
    }

    /** Bytes the KV cache holds (its capacity, not just its length). */
    public long bytes() {
      return cache.bytes();
    }

    @Override
    public void close() {
      cache.close();
    }
  }
}
