package dev.fsgen.grpc;

/**
 * A request named a cached prefix start (CachedPrefix) that the session's cache does not hold:
 * the client sends the whole prefix again.
 */
public final class CacheMissException extends RuntimeException {
  private final int cachedTokens;

  /** @param cachedTokens the length of the cached start the request named */
  public CacheMissException(String message, int cachedTokens) {
    super(message);
    this.cachedTokens = cachedTokens;
  }

  public int cachedTokens() {
    return cachedTokens;
  }
}
