package dev.fsgen.service;

import java.time.Duration;

/**
 * Every limit a model service enforces.
 *
 * @param maxDraftTokens largest gamma for Draft and largest draft for BatchVerify
 * @param maxSessions session caches held at once
 * @param maxCacheBytes KV bytes held over all sessions
 * @param sessionIdle a session cache unused this long is freed
 * @param maxQueued requests waiting for the model at once; more get RESOURCE_EXHAUSTED
 * @param maxMessageBytes largest request message
 * @param maxBatch most NextToken and BatchVerify requests that share one forward pass
 */
public record HostLimits(int maxDraftTokens, int maxSessions, long maxCacheBytes, Duration sessionIdle, int maxQueued,
    int maxMessageBytes, int maxBatch) {
  public static final HostLimits DEFAULT = new HostLimits(64, 256, 2L << 30, Duration.ofMinutes(5), 256, 16 << 20, 64);

  public HostLimits {
    if (maxDraftTokens < 1) throw new IllegalArgumentException("max draft tokens must be at least 1, got " + maxDraftTokens);
    if (maxSessions < 1) throw new IllegalArgumentException("max sessions must be at least 1, got " + maxSessions);
    if (maxCacheBytes < 1) throw new IllegalArgumentException("max cache bytes must be at least 1, got " + maxCacheBytes);
    if (sessionIdle.isNegative() || sessionIdle.isZero()) throw new IllegalArgumentException("session idle time must be > 0");
    if (maxQueued < 1) throw new IllegalArgumentException("max queued requests must be at least 1, got " + maxQueued);
    if (maxBatch < 1) throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
    if (maxMessageBytes < 1024) throw new IllegalArgumentException("max message bytes must be at least 1024, got " + maxMessageBytes);
  }
}
