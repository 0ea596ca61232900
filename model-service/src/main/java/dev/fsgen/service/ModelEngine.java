package dev.fsgen.service;

import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One loaded model's serving engine, free of any protocol: session caches, continuous batching and
 * admission over plain token arrays, each call with its {@link CallScope} (deadline and
 * cancellation). One forward pass runs at a time (each pass already uses the machine's cores), and
 * every call that waits for it shares the next pass ({@link BlockBatcher}). At most
 * {@code maxQueued} calls wait; one more is refused as overloaded.
 */
final class ModelEngine implements AutoCloseable {
  /** Counters since the engine started: the caches', and the model's work. */
  record Stats(SessionStore.Counts caches, long requests, long busyNanos, long passes) {}

  private final HostLimits limits;
  private final SessionStore sessions;
  private final ReentrantLock compute = new ReentrantLock(true);
  private final Semaphore queue;
  private final LongAdder requests = new LongAdder();
  private final LongAdder busyNanos = new LongAdder();
  private final BlockBatcher batcher;

  ModelEngine(LocalLanguageModel model, HostLimits limits, String name) {
    this.limits = limits;
    this.sessions = new SessionStore(model, limits);
    this.queue = new Semaphore(limits.maxQueued());
    this.batcher = new BlockBatcher(model, sessions, compute, limits.maxBatch(), busyNanos, requests, name);
  }

  /**
   * Appends to the session's cache the prefix ({@code sent}: the tokens after {@code cached}, or the
   * whole prefix when it is null) and then {@code extra}, in the next pass shared with whatever
   * other calls are waiting: the logits after each appended token.
   */
  CompletableFuture<BlockBatcher.Result> append(String session, CachedStart cached, int[] sent, int[] extra, CallScope call) {
    return admitted(call, () -> batcher.submit(session, cached, sent, extra, call));
  }

  /** Appends the prefix's uncached tokens and drafts after them, one step per pass. */
  CompletableFuture<BlockBatcher.DraftResult> draft(String session, CachedStart cached, int[] sent, BlockBatcher.DraftSpec spec,
      CallScope call) {
    return admitted(call, () -> batcher.submitDraft(session, cached, sent, spec, call));
  }

  /** Frees the session's cache now; false when none was held. */
  boolean end(String session) {
    return sessions.end(session);
  }

  /** Calls admitted and not yet answered: the one computing and those waiting for the model. */
  int queued() {
    return limits.maxQueued() - queue.availablePermits();
  }

  Stats stats() {
    return new Stats(sessions.stats(), requests.sum(), busyNanos.sum(), batcher.passes());
  }

  /** Takes a place among the waiting calls and submits; the place is given back when the call is done. */
  private <R> CompletableFuture<R> admitted(CallScope call, Supplier<CompletableFuture<R>> submit) {
    if (call.gone()) {
      // expired or cancelled before it was admitted: nobody would read the answer
      throw new CancellationException("the call " + call.why() + " before it started");
    }
    if (!queue.tryAcquire()) {
      throw new OverloadedException(limits.maxQueued() + " requests are already waiting for the model; retry later");
    }
    CompletableFuture<R> pass;
    try {
      pass = submit.get();
    } catch (RuntimeException e) {
      queue.release();
      throw e;
    }
    return pass.whenComplete((r, e) -> queue.release());
  }

  @Override
  public void close() {
    batcher.close();
    compute.lock();
    try {
      sessions.close();
    } finally {
      compute.unlock();
    }
  }
}
