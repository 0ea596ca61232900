package dev.fsgen.grpc;

/** A call's deadline passed before it finished (unchecked, unlike TimeoutException, so that it crosses the decoding port). */
public final class DeadlineExceededException extends RuntimeException {
  public DeadlineExceededException(String message) {
    super(message);
  }
}
