package dev.fsgen.decoding;

/**
 * The served model cannot do what the request asks, however the request is put: a chat prompt for
 * a checkpoint without a chat template, or with one that fails to render.
 */
public final class UnsupportedByModelException extends RuntimeException {
  public UnsupportedByModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
