package dev.fsgen.runtime.model;

import dev.fsgen.tokenizer.TextTokenizer;
import java.nio.file.Path;

/** A model directory loaded whole: weights and the tokenizer they were trained with, checked against each other. */
public record LoadedModel(LlamaModel model, TextTokenizer tokenizer) implements AutoCloseable {

  public static LoadedModel load(Path dir) {
    Path tokenizerFile = dir.resolve(Checkpoint.TOKENIZER);
    LlamaModel model = LlamaModel.load(dir);
    TextTokenizer tokenizer = null;
    try {
      tokenizer = TextTokenizer.load(tokenizerFile);
      // checkpoints may pad the embedding past the tokenizer (a multiple of 64 or 128), never the reverse
      if (tokenizer.vocabSize() > model.config().vocabSize()) {
        throw new ModelFormatException(tokenizerFile, "tokenizer has " + tokenizer.vocabSize()
            + " tokens but config.json vocab_size is " + model.config().vocabSize() + ": they do not belong together");
      }
      return new LoadedModel(model, tokenizer);
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
