package dev.fsgen.decoding;

/** System 1 and System 2 cannot collaborate (different tokenizers or vocabularies). */
public final class IncompatibleModelsException extends RuntimeException {
  public IncompatibleModelsException(String message) {
    super(message);
  }
}
