package dev.fsgen.grpc;

/** A service does not offer this call at all (System 1 does not verify drafts, System 2 does not draft). */
public final class NotImplementedException extends UnsupportedOperationException {
  public NotImplementedException(String message) {
    super(message);
  }
}
