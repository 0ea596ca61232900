package dev.fsgen.runtime.port;

import dev.fsgen.decoding.LanguageModel;
import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaModel;

/** A loaded model in this process, behind the decoding port: one KV cache per sequence. */
public final class LocalLanguageModel implements LanguageModel {
  private final LlamaModel model;

  public LocalLanguageModel(LlamaModel model) {
    this.model = model;
  }

  public LlamaModel model() {
    return model;
  }

  @Override
  public int vocabSize() {
    return model.config().vocabSize();
  }

  @Override
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }

  @Override
  public LocalSequence newSequence() {
    return new LocalSequence(model, model.newCache(1));
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
    return model.forwardBatch(tokens, caches, stop);
  }

  /** A sequence whose cache size is visible, so a server can bound the memory its sessions hold. */
  public static final class LocalSequence implements Sequence {
    private final LlamaModel model;
    private final KvCache cache;

    LocalSequence(LlamaModel model, KvCache cache) {
      this.model = model;
      this.cache = cache;
    }

    @Override
    public float[] append(int[] tokens) {
      return model.next(tokens, cache);
    }

    @Override
    public float[][] appendAll(int[] tokens) {
      return model.forward(tokens, cache);
    }

    @Override
    public void rollback(int length) {
      cache.rollback(length);
    }

    @Override
    public int length() {
      return cache.length();
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
