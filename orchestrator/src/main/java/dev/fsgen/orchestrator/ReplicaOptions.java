package dev.fsgen.orchestrator;

import java.time.Duration;

/**
 * How the orchestrator treats the replicas of a model service.
 *
 * @param callTimeout the longest one call to one replica may take before it is tried elsewhere
 *     (never longer than the request's own deadline)
 * @param attempts calls per operation, on different replicas where there are several
 * @param backoff wait before the second attempt; doubled for each further one
 * @param failureRate percentage of failed calls among the last {@code window} that opens a
 *     replica's circuit breaker
 * @param openFor how long an open breaker keeps a replica out before probing it again
 * @param maxCallsPerReplica calls in flight to one replica at once (its bulkhead); more go elsewhere
 * @param healthInterval how often every replica's health service is asked
 * @param loadSlack a new session goes to the least-loaded replica, or to one holding at most (1 +
 *     slack) × the least number of sessions that comes first on the hash ring from the session's key
 * @param pinIdle a session not used for this long is forgotten (its replica drops its cache too)
 */
public record ReplicaOptions(Duration callTimeout, int attempts, Duration backoff, int failureRate, int window, Duration openFor,
    int maxCallsPerReplica, Duration healthInterval, double loadSlack, Duration pinIdle) {
  public static final ReplicaOptions DEFAULT = new ReplicaOptions(Duration.ofSeconds(30), 3, Duration.ofMillis(50), 50, 20,
      Duration.ofSeconds(5), 256, Duration.ofSeconds(1), 0.25, Duration.ofMinutes(10));

  public ReplicaOptions {
    if (callTimeout.isNegative() || callTimeout.isZero()) throw new IllegalArgumentException("call timeout must be > 0");
    if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
    if (failureRate < 1 || failureRate > 100) throw new IllegalArgumentException("failure rate must be 1..100%, got " + failureRate);
    if (window < 1) throw new IllegalArgumentException("breaker window must be >= 1, got " + window);
    if (healthInterval.isNegative() || healthInterval.isZero()) throw new IllegalArgumentException("health interval must be > 0");
    if (maxCallsPerReplica < 1) throw new IllegalArgumentException("calls per replica must be >= 1, got " + maxCallsPerReplica);
    if (!(loadSlack >= 0)) throw new IllegalArgumentException("load slack must be >= 0, got " + loadSlack);
  }
}
