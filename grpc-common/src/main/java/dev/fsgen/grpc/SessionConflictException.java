package dev.fsgen.grpc;

/** A session id that is already in use by a running generation. */
public final class SessionConflictException extends RuntimeException {
  public SessionConflictException(String message) {
    super(message);
  }
}
