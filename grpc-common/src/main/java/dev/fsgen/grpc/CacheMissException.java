package dev.fsgen.grpc;

/**
 * A request named a cached prefix start (CachedPrefix) that the session's cache does not hold:
 * the client sends the whole prefix again.
 */
public final class CacheMissException extends RuntimeException {
  public CacheMissException(String message) {
    super(message);
  }
}
