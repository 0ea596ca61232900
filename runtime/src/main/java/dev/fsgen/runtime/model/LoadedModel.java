package dev.fsgen.runtime.model;

import dev.fsgen.tokenizer.TextTokenizer;
import java.nio.file.Path;

/**
 * A model directory loaded whole: weights and the tokenizer they were trained with, checked against
 * each other, and what the checkpoint says about generating from it.
 */
public record LoadedModel(LlamaModel model, TextTokenizer tokenizer, GenerationDefaults generation) implements AutoCloseable {

  /** Loaded to serve: the weight format the process is configured for ({@link LlamaModel#load(Path)}). */
  public static LoadedModel load(Path dir) {
    return withTokenizer(dir, LlamaModel.load(dir));
  }

  /**
   * Loaded with libtorch's copy of the weights kept, the decode path's in {@code format}: what
   * evaluation needs, whatever the process serves with.
   */
  public static LoadedModel load(Path dir, WeightFormat format) {
    return withTokenizer(dir, LlamaModel.load(dir, format));
  }

  private static LoadedModel withTokenizer(Path dir, LlamaModel model) {
    Path tokenizerFile = dir.resolve(Checkpoint.TOKENIZER);
    TextTokenizer tokenizer = null;
    try {
      tokenizer = TextTokenizer.load(tokenizerFile);
      // checkpoints may pad the embedding past the tokenizer (a multiple of 64 or 128), never the reverse
      if (tokenizer.vocabSize() > model.config().vocabSize()) {
        throw new ModelFormatException(tokenizerFile, "tokenizer has " + tokenizer.vocabSize()
            + " tokens but config.json vocab_size is " + model.config().vocabSize() + ": they do not belong together");
      }
      return new LoadedModel(model, tokenizer, GenerationDefaults.read(dir, model.config(), tokenizer));
    } catch (RuntimeException e) {
      if (tokenizer != null) tokenizer.close();
      model.close();
      throw e;
    }
  }

  @Override
  public void close() {
    tokenizer.close();
    model.close();
  }
}
