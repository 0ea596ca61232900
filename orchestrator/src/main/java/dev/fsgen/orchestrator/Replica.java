package dev.fsgen.orchestrator;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.ConnectivityState;
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
  /** What its health service said last; false until it has answered SERVING, and again once its connection drops. */
  volatile boolean serving;
  /** Its model has been read and compared with the pair's since it last (re)connected. */
  volatile boolean verified;
  /** Why it serves a model the other replicas do not (another tokenizer or vocabulary), or null. */
  volatile String incompatible;
  /** Its model as last read, or null before the first read. */
  volatile dev.fsgen.proto.model.v1.ModelInfo info;
  /**
   * Counts the times its connection dropped: a model read that started before a drop may describe
   * the process that went away, so it does not count as verified.
   */
  final AtomicInteger drops = new AtomicInteger();
  /** What {@link #state()} said when it was last logged. */
  volatile String logged;

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
    watch(ConnectivityState.IDLE);
  }

  /**
   * A process that restarts (another model, other hosted models, another tokenizer) is known
   * only by its connection dropping: whenever the channel leaves READY the replica is out until
   * its health says SERVING again and its model has been read again.
   */
  private void watch(ConnectivityState seen) {
    ConnectivityState now = channel.getState(false);
    if (seen == ConnectivityState.READY && now != ConnectivityState.READY) disconnected();
    if (now == ConnectivityState.SHUTDOWN) return;
    channel.notifyWhenStateChanged(now, () -> watch(now));
  }

  /** Its connection dropped (or a call found it gone): out until the next health check and model read. */
  void disconnected() {
    drops.incrementAndGet();
    serving = false;
    verified = false;
  }

  /** Healthy and its breaker lets calls through. */
  boolean available() {
    CircuitBreaker.State s = breaker.getState();
    return serving && verified && incompatible == null && s != CircuitBreaker.State.OPEN && s != CircuitBreaker.State.FORCED_OPEN;
  }

  /** For error messages, metrics and logs: the address and what keeps it out, if anything. */
  String state() {
    return address + " (" + condition() + ")";
  }

  /** up, not serving, incompatible or circuit open. */
  String condition() {
    if (incompatible != null) return "incompatible";
    if (!serving || !verified) return "not serving";
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN ? "circuit open" : "up";
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
