package dev.fsgen.orchestrator;

import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.DraftResponse;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.TokenizerFile;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.grpc.DeadlineExceededException;
import dev.fsgen.grpc.Statuses;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A model service behind several replicas, as one {@link ModelClient}. The protocol is stateless
 * (every call carries the whole prefix), so any replica can answer any call; a session sticks to
 * one replica only so that its cache hits.
 *
 * <ul>
 *   <li><b>Placement:</b> a session's first call goes to the least-loaded replica (fewest
 *       sessions); among those within a slack of the least load, to the first on a consistent-hash
 *       ring from the session's key. Later calls follow it there.
 *   <li><b>Health:</b> every replica's standard health service is asked every interval; a replica
 *       that is not SERVING gets no new calls.
 *   <li><b>Failures:</b> each replica has a circuit breaker and a bulkhead (resilience4j). A call
 *       that fails because of the replica (unavailable, overloaded, too slow) is retried with
 *       backoff on the next replica of the ring, which rebuilds the cache from the prefix: the
 *       generation goes on with the same tokens. Errors about the request itself are not retried.
 * </ul>
 *
 * <p>This is the only retry layer between the orchestrator and a model service.
 */
public final class ReplicaSet implements ModelClient, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ReplicaSet.class.getName());
  private static final int VIRTUAL_NODES = 64;

  private final String role;
  private final String serviceName;
  private final Targets targets;
  private final Function<Channel, ModelClient> clients;
  private final Function<String, ManagedChannel> channels;
  private final ReplicaOptions options;
  private final Retry retry;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<String, Pin> pins = new ConcurrentHashMap<>();
  /** Replicas a session moved away from after a failed call: they may still hold its cache. */
  private final Map<String, Left> left = new ConcurrentHashMap<>();

  private record Left(Set<Replica> replicas, long since) {}
  private volatile List<Replica> replicas = List.of();
  private volatile HashRing<Replica> ring = new HashRing<>(List.of(), r -> r.address, 1);
  /**
   * The model every replica must match (tokenizer and vocabulary): the pair's once it is checked
   * ({@link #expect}), before that the first verified replica's.
   */
  private volatile ModelInfo reference;
  private volatile Runnable onChange;

  /** Where a session's calls go, and when it was last used. */
  private static final class Pin {
    final Replica replica;
    volatile long lastUsed = System.nanoTime();

    Pin(Replica replica) {
      this.replica = replica;
    }
  }

  /**
   * @param serviceName the service name whose health is checked (fsgen.model.v1.ModelService)
   * @param clients the stub for one replica's channel
   * @param channels opens a channel to one address
   */
  public ReplicaSet(String role, String serviceName, Targets targets, Function<Channel, ModelClient> clients,
      Function<String, ManagedChannel> channels, ReplicaOptions options) {
    this.role = role;
    this.serviceName = serviceName;
    this.targets = targets;
    this.clients = clients;
    this.channels = channels;
    this.options = options;
    this.retry = Retry.of(role, RetryConfig.custom()
        .maxAttempts(options.attempts())
        .intervalFunction(IntervalFunction.ofExponentialBackoff(options.backoff(), 2.0))
        .retryOnException(ReplicaSet::retryable)
        .failAfterMaxAttempts(false)
        .build());
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, role.replace(' ', '-').toLowerCase() + "-replicas");
      t.setDaemon(true);
      return t;
    });
    // every call schedules its deadline here and cancels it when answered: kept until due, each
    // cancelled timer and the call context it holds would stay for the whole call timeout (30 s,
    // ~26 000 of them at full load), promoted to the old generation, and the orchestrator's
    // resident size would climb by 20% over ten minutes
    scheduler.setRemoveOnCancelPolicy(true);
    refresh();
    checkHealth();
    for (Replica r : replicas) logState(r);
    long every = options.healthInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public String role() {
    return role;
  }

  /** The replicas' addresses and states, for messages and tests. */
  public List<String> describe() {
    return replicas.stream().map(Replica::state).toList();
  }

  @Override
  public ModelInfo info() {
    return call("", ModelClient::info);
  }

  @Override
  public TokenizerFile tokenizer() {
    return call("", ModelClient::tokenizer);
  }

  @Override
  public NextTokenResponse nextToken(NextTokenRequest r) {
    return call(r.getSessionId(), c -> c.nextToken(r));
  }

  @Override
  public DraftResponse draft(DraftRequest r) {
    return call(r.getSessionId(), c -> c.draft(r));
  }

  @Override
  public BatchVerifyResponse verify(BatchVerifyRequest r) {
    return call(r.getSessionId(), c -> c.verify(r));
  }

  /** Frees the session's cache on its replica (best effort: a replica that is gone has freed it already). */
  @Override
  public void endSession(String sessionId, String model) {
    Left moved = left.remove(sessionId);
    Set<Replica> holders = moved == null ? new HashSet<>() : new HashSet<>(moved.replicas());
    Pin p = pins.remove(sessionId);
    if (p != null) {
      p.replica.sessions.decrementAndGet();
      holders.add(p.replica);
    }
    // a call that failed (a deadline, an overloaded replica) unpinned the session, but the
    // replica may have computed it anyway: end it there too
    for (Replica r : holders) {
      if (!r.available() && (p == null || r != p.replica)) continue; // out or gone: nothing to wait for
      try {
        r.client.endSession(sessionId, model);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "could not end session " + sessionId + " on " + r.address, e);
      }
    }
  }

  /** Every answering replica's cache statistics, summed. */
  @Override
  public CacheStats stats() {
    CacheStats.Builder sum = CacheStats.newBuilder();
    int answered = 0;
    RuntimeException last = null;
    for (Replica r : replicas) {
      try {
        dev.fsgen.grpc.Messages.add(sum, r.client.stats());
        answered++;
      } catch (RuntimeException e) {
        last = e;
      }
    }
    if (answered == 0 && last != null) throw last;
    return sum.build();
  }

  private <T> T call(String session, Function<ModelClient, T> op) {
    Map<Replica, String> failed = new java.util.LinkedHashMap<>();
    return retry.executeSupplier(() -> attempt(session, op, failed));
  }

  /** @param failed the replicas this operation already tried, with what went wrong there */
  private <T> T attempt(String session, Function<ModelClient, T> op, Map<Replica, String> failed) {
    Replica r = pick(session, failed);
    if (!r.bulkhead.tryAcquirePermission()) {
      failed.put(r, options.maxCallsPerReplica() + " calls in flight");
      throw new OverloadedException(role + " replica " + r.address + " has " + options.maxCallsPerReplica() + " calls in flight");
    }
    try {
      if (!r.breaker.tryAcquirePermission()) {
        failed.put(r, "circuit open");
        throw new ModelUnavailableException(role + " replica " + r.address + " is out (circuit open)");
      }
      long start = System.nanoTime();
      Context.CancellableContext limited = Context.current().withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS, scheduler);
      try {
        T out = limited.call(() -> op.apply(r.client));
        r.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return out;
      } catch (RuntimeException e) {
        if (retryable(e)) {
          r.breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
          Status status = Statuses.from(e);
          failed.put(r, "call failed: " + status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription()));
          unpin(session, r);
          if (e instanceof ModelUnavailableException && r.serving) {
            // refused, reset or draining: out now, not at the next health check (which brings it
            // back, its model read again, if it answers SERVING)
            r.disconnected();
            logState(r);
          }
          LOG.log(Level.FINE, role + " call to " + r.address + " failed: " + status, e);
        } else {
          r.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS); // the replica answered
        }
        throw e;
      } catch (Exception e) {
        r.breaker.releasePermission();
        throw new IllegalStateException(e);
      } finally {
        limited.cancel(null);
      }
    } finally {
      r.bulkhead.onComplete();
    }
  }

  /** The session's replica if it is still usable, else a new placement. */
  private Replica pick(String session, Map<Replica, String> failed) {
    Pin p = session.isEmpty() ? null : pins.get(session);
    if (p != null && p.replica.available() && !failed.containsKey(p.replica)) {
      p.lastUsed = System.nanoTime();
      return p.replica;
    }
    List<Replica> order = new ArrayList<>();
    for (Replica r : ring.walk(session)) if (r.available() && !failed.containsKey(r)) order.add(r);
    if (order.isEmpty()) {
      // what this operation found at each replica, or what keeps it out: never "(up)" for one that just failed
      throw new ModelUnavailableException("no " + role + " replica is available: " + replicas.stream()
          .map(r -> failed.containsKey(r) ? r.address + " (" + failed.get(r) + ")" : r.state())
          .collect(Collectors.joining(", ")));
    }
    // least-loaded placement; among the replicas within the slack of the least load, the first on
    // the ring from the session's key, so that placement is stable when loads are even
    int least = Integer.MAX_VALUE;
    for (Replica r : order) least = Math.min(least, r.sessions.get());
    double bound = Math.floor(least * (1 + options.loadSlack()));
    Replica chosen = order.get(0);
    for (Replica r : order) {
      if (r.sessions.get() <= bound) {
        chosen = r;
        break;
      }
    }
    if (!session.isEmpty()) {
      Pin fresh = new Pin(chosen);
      chosen.sessions.incrementAndGet();
      Pin old = pins.put(session, fresh);
      if (old != null) old.replica.sessions.decrementAndGet();
    }
    return chosen;
  }

  private void unpin(String session, Replica r) {
    Pin p = pins.get(session);
    if (p != null && p.replica == r && pins.remove(session, p)) {
      r.sessions.decrementAndGet();
      left.computeIfAbsent(session, k -> new Left(ConcurrentHashMap.newKeySet(), System.nanoTime())).replicas().add(r);
    }
  }

  /**
   * Failures that another replica may not have: the replica is down or unreachable, overloaded,
   * or slower than the call timeout. Not when the request itself is over (cancelled, or its own
   * deadline passed), and not errors about the request's content.
   */
  static boolean retryable(Throwable t) {
    if (Context.current().isCancelled()) return false;
    return t instanceof ModelUnavailableException || t instanceof OverloadedException || t instanceof DeadlineExceededException;
  }

  private void maintain() {
    try {
      if (targets.dynamic()) refresh();
      checkHealth();
      for (Replica r : replicas) logState(r);
      Runnable listener = onChange;
      if (listener != null) listener.run();
      long idle = options.pinIdle().toNanos();
      long now = System.nanoTime();
      pins.entrySet().removeIf(e -> {
        boolean stale = now - e.getValue().lastUsed > idle;
        if (stale) e.getValue().replica.sessions.decrementAndGet();
        return stale;
      });
      // sessions that were never ended: their caches expire on the replicas by themselves
      left.values().removeIf(l -> now - l.since() > idle);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, role + " replica maintenance failed", e);
    }
  }

  /** Logs a replica's state when it differs from what was logged last: up, not serving, incompatible, circuit open. */
  private void logState(Replica r) {
    String now = r.condition();
    String was = r.logged;
    if (now.equals(was)) return;
    r.logged = now;
    LOG.log(now.equals("up") ? Level.INFO : Level.WARNING, role + " replica " + r.address + (was == null ? " is " + now
        : " is now " + now + " (was " + was + ")") + (r.incompatible != null && now.equals("incompatible") ? ": it " + r.incompatible : ""));
  }

  /** Whether at least one replica can take calls now (healthy, its model checked, its breaker closed). */
  public boolean anyAvailable() {
    for (Replica r : replicas) if (r.available()) return true;
    return false;
  }

  /** Runs after every health round (every health interval): the orchestrator's own health follows its replicas'. */
  void onChange(Runnable listener) {
    this.onChange = listener;
  }

  /**
   * Expects every replica to serve this tokenizer and vocabulary (the pair's, once checked): a
   * replica that (re)connects with another is left out.
   */
  void expect(ModelInfo pair) {
    reference = pair;
    for (Replica r : replicas) if (r.verified) check(r, r.info);
  }

  /**
   * The model as the available replicas serve it now, read again whenever a replica (re)connects:
   * the first one's info, with the models that every one of them hosts. {@code known} where no
   * replica is available.
   */
  @Override
  public ModelInfo lastInfo(ModelInfo known) {
    ModelInfo first = null;
    Set<String> hosted = null;
    for (Replica r : replicas) {
      ModelInfo i = r.info;
      if (!r.available() || i == null) continue;
      if (first == null) {
        first = i;
        hosted = new java.util.LinkedHashSet<>(i.getHostedModelsList());
      } else {
        hosted.retainAll(i.getHostedModelsList());
      }
    }
    if (first == null) return known;
    return first.toBuilder().clearHostedModels().addAllHostedModels(hosted).build();
  }

  /** Brings the replica list in line with the targets: new addresses get a channel, vanished ones are closed. */
  private synchronized void refresh() {
    List<String> now = targets.resolve();
    if (now.isEmpty() && !replicas.isEmpty()) return; // a failed lookup keeps what we have
    List<Replica> next = new ArrayList<>();
    List<Replica> gone = new ArrayList<>(replicas);
    for (String address : now) {
      Replica existing = null;
      for (Replica r : replicas) if (r.address.equals(address)) existing = r;
      if (existing != null) {
        next.add(existing);
        gone.remove(existing);
      } else {
        ManagedChannel c = channels.apply(address);
        next.add(new Replica(role, address, c, clients.apply(c), options));
      }
    }
    if (gone.isEmpty() && next.size() == replicas.size()) return;
    replicas = List.copyOf(next);
    ring = new HashRing<>(replicas, r -> r.address, VIRTUAL_NODES);
    pins.values().removeIf(p -> gone.contains(p.replica));
    left.values().forEach(l -> l.replicas().removeAll(gone));
    gone.forEach(Replica::close);
  }

  /**
   * Asks every replica's health service at once. A replica that cannot be reached (connection
   * refused or lost: UNAVAILABLE) or says NOT_SERVING is out; one that answers slowly is busy, not
   * dead (a model service handles a connection's calls in order, so a health check can wait behind
   * computation), and keeps its state.
   */
  private void checkHealth() {
    List<Replica> now = replicas;
    List<com.google.common.util.concurrent.ListenableFuture<HealthCheckResponse>> answers = new ArrayList<>();
    HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(serviceName).build();
    long timeout = Math.max(2000, 2 * options.healthInterval().toMillis());
    for (Replica r : now) {
      answers.add(HealthGrpc.newFutureStub(r.channel).withDeadlineAfter(timeout, TimeUnit.MILLISECONDS).check(request));
    }
    for (int i = 0; i < now.size(); i++) {
      Replica r = now.get(i);
      try {
        r.serving = answers.get(i).get().getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        if (!r.serving) r.verified = false; // its model is read again once it serves
      } catch (java.util.concurrent.ExecutionException e) {
        Status status = Status.fromThrowable(e.getCause());
        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.UNIMPLEMENTED) {
          r.serving = false;
          r.verified = false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    for (Replica r : now) if (r.serving && !r.verified) verify(r);
  }

  /**
   * Reads a replica's model (again, after every reconnection: a restarted process may host other
   * models or another tokenizer) and compares it with the pair's before it gets calls: a replica
   * started with another tokenizer would turn the same token ids into other text. It stays out,
   * named in every "no replica available" message, in the logs and in the replica metrics.
   */
  private void verify(Replica r) {
    int drops = r.drops.get();
    ModelInfo info;
    try {
      // the maintenance thread has no request context: the call gets a deadline of its own
      Context.CancellableContext c = Context.ROOT.withDeadlineAfter(Math.max(2000, 2 * options.healthInterval().toMillis()),
          TimeUnit.MILLISECONDS, scheduler);
      try {
        info = c.call(r.client::info);
      } finally {
        c.cancel(null);
      }
    } catch (Exception e) { // asked again at the next check
      LOG.log(Level.FINE, "model info of " + r.address + " failed", e);
      return;
    }
    if (r.drops.get() != drops) return; // it reconnected meanwhile: read it again at the next check
    if (reference == null) reference = info;
    check(r, info);
    r.info = info;
    r.verified = true;
  }

  /** Marks a replica incompatible when its model's tokenizer or vocabulary differs from the reference, and clears the mark when not. */
  private void check(Replica r, ModelInfo info) {
    ModelInfo ref = reference;
    if (ref == null || info == null) return;
    if (!ref.getTokenizerFingerprint().equals(info.getTokenizerFingerprint()) || ref.getVocabSize() != info.getVocabSize()) {
      r.incompatible = "serves " + info.getSource() + " with tokenizer " + info.getTokenizerFingerprint() + " and vocabulary "
          + info.getVocabSize() + ", the pair " + ref.getTokenizerFingerprint() + " and " + ref.getVocabSize();
    } else {
      r.incompatible = null;
    }
  }

  /** Timers waiting in the scheduler: the periodic maintenance, and the deadlines of calls still out. */
  int pendingTimers() {
    return scheduler.getQueue().size();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    replicas.forEach(Replica::close);
  }
}
