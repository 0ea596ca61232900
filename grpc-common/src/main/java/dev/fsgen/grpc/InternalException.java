package dev.fsgen.grpc;

/**
 * A service reported a bug (INTERNAL): its description, already naming the exception, travels on
 * unchanged instead of being wrapped again at every hop.
 */
public final class InternalException extends RuntimeException {
  public InternalException(String message) {
    super(message);
  }
}
