package dev.fsgen.tokenizer;

/** A tokenizer file that is missing, unreadable or not a usable {@code tokenizer.json}. */
public class TokenizerException extends RuntimeException {
  public TokenizerException(String message) {
    super(message);
  }

  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
