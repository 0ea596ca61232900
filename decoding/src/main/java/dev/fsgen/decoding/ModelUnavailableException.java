package dev.fsgen.decoding;

/** A model cannot answer now (still loading, shutting down, or unreachable). */
public class ModelUnavailableException extends RuntimeException {
  public ModelUnavailableException(String message) {
    super(message);
  }

  public ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
