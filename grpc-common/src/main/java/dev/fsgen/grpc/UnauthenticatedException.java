package dev.fsgen.grpc;

/** A call without a bearer token, or with one the service does not accept. */
public final class UnauthenticatedException extends RuntimeException {
  public UnauthenticatedException(String message) {
    super(message);
  }
}
