package dev.fsgen.orchestrator;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One process serving a model: its channel and client, its circuit breaker and bulkhead, its health and load. */
final class Replica implements AutoCloseable {
  final String address;
  final ManagedChannel channel;
  final ModelClient client;
  final CircuitBreaker breaker;
  final Bulkhead bulkhead;
  /** Sessions placed on this replica and not yet ended. */
  final AtomicInteger sessions = new AtomicInteger();
  /** What its health service said last; false until it has answered SERVING. */
  volatile boolean serving;
  /** Its model has been compared with the other replicas'. */
  volatile boolean verified;
  /** Why it serves a model the other replicas do not (another tokenizer or vocabulary), or null. */
  volatile String incompatible;

  Replica(String role, String address, ManagedChannel channel, ModelClient client, ReplicaOptions o) {
    this.address = address;
    this.channel = channel;
    this.client = client;
    this.breaker = CircuitBreaker.of(role + "@" + address, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(o.window())
        .minimumNumberOfCalls(Math.min(o.window(), 5))
        .failureRateThreshold(o.failureRate())
        .waitDurationInOpenState(o.openFor())
        .permittedNumberOfCallsInHalfOpenState(1)
        .automaticTransitionFromOpenToHalfOpenEnabled(true)
        .build());
    this.bulkhead = Bulkhead.of(role + "@" + address, BulkheadConfig.custom()
        .maxConcurrentCalls(o.maxCallsPerReplica()).maxWaitDuration(Duration.ZERO).build());
  }

  /** Healthy and its breaker lets calls through. */
  boolean available() {
    CircuitBreaker.State s = breaker.getState();
    return serving && verified && incompatible == null && s != CircuitBreaker.State.OPEN && s != CircuitBreaker.State.FORCED_OPEN;
  }

  /** For error messages: what keeps it out, if anything. */
  String state() {
    if (incompatible != null) return address + " (incompatible)";
    if (!serving || !verified) return address + " (not serving)";
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN ? address + " (circuit open)" : address + " (up)";
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(2, TimeUnit.SECONDS)) channel.shutdownNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }
}
