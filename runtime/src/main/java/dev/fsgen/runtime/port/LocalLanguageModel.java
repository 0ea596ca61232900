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

  @Override
  public int vocabSize() {
    return model.config().vocabSize();
  }

  @Override
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }

  @Override
  public Sequence newSequence() {
    KvCache cache = model.newCache(1);
    return new Sequence() {
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

      @Override
      public void close() {
        cache.close();
      }
    };
  }
}
