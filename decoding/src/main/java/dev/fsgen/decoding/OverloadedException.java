package dev.fsgen.decoding;

/** A bounded resource (sessions, cache bytes, concurrent generations, a queue) is full: try again later. */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(String message) {
    super(message);
  }
}
