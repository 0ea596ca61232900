package dev.fsgen.service;

import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.proto.model.v1.CachedPrefix;
import dev.fsgen.runtime.port.LocalLanguageModel;
import io.grpc.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching of block appends (NextToken and BatchVerify): the requests that arrive
 * while a forward pass runs go together into the next one, each on its own session cache, with
 * blocks of different lengths at different positions. At batch 1 a pass is bound by reading the
 * weights, so sessions that share it get their tokens for little more than one read.
 */
final class BlockBatcher implements AutoCloseable {
  /**
   * What one request got.
   *
   * @param reused prefix tokens that came from the session's cache
   * @param rows logits after each appended token (the prefix's uncached tokens, then the extra ones): [t][vocab]
   */
  record Result(int reused, float[][] rows) {}

  private record Job(String session, CachedPrefix cached, int[] sent, int[] extra, Context context, CompletableFuture<Result> done) {}

  private final LocalLanguageModel model;
  private final SessionStore sessions;
  private final ReentrantLock compute;
  private final int maxBatch;
  private final LongAdder busyNanos;
  private final LongAdder requests;
  private final LongAdder passes = new LongAdder();
  private final LinkedBlockingQueue<Job> pending = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closed;

  /**
   * @param compute held for each pass: other operations (drafting) take turns with it
   * @param maxBatch most requests in one pass
   * @param busyNanos, requests the host's counters, added to per pass
   */
  BlockBatcher(LocalLanguageModel model, SessionStore sessions, ReentrantLock compute, int maxBatch, LongAdder busyNanos,
      LongAdder requests, String name) {
    this.model = model;
    this.sessions = sessions;
    this.compute = compute;
    this.maxBatch = maxBatch;
    this.busyNanos = busyNanos;
    this.requests = requests;
    this.worker = new Thread(this::loop, "batcher-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  /** Forward passes run so far (each answered one or more requests). */
  long passes() {
    return passes.sum();
  }

  /**
   * Appends to the session's cache the prefix (the tokens after {@code cached}, or the whole
   * prefix when it is null) and then {@code extra}, in the next pass. The future completes on the
   * batcher's thread.
   */
  CompletableFuture<Result> submit(String session, CachedPrefix cached, int[] sent, int[] extra) {
    Job j = new Job(session, cached, sent, extra, Context.current(), new CompletableFuture<>());
    if (closed) throw new ModelUnavailableException("the model is shutting down");
    pending.add(j);
    return j.done;
  }

  private void loop() {
    while (!closed) {
      Job first;
      try {
        first = pending.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (first == null) continue;
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      pending.drainTo(batch, maxBatch - 1);
      compute.lock();
      long start = System.nanoTime();
      try {
        run(batch);
      } catch (RuntimeException | Error e) {
        for (Job j : batch) j.done.completeExceptionally(e);
      } finally {
        busyNanos.add(System.nanoTime() - start);
        requests.add(batch.size());
        passes.increment();
        compute.unlock();
      }
    }
    for (Job j; (j = pending.poll()) != null; ) j.done.completeExceptionally(new ModelUnavailableException("the model is shutting down"));
  }

  private void run(List<Job> batch) {
    List<Job> live = new ArrayList<>();
    List<SessionStore.Lease> leases = new ArrayList<>();
    List<int[]> feeds = new ArrayList<>();
    for (Job j : batch) {
      try {
        SessionStore.Lease lease = sessions.leaseFor(j.session, j.cached, j.sent, j.context);
        int[] feed = Arrays.copyOf(lease.feed, lease.feed.length + j.extra.length);
        System.arraycopy(j.extra, 0, feed, lease.feed.length, j.extra.length);
        live.add(j);
        leases.add(lease);
        feeds.add(feed);
      } catch (RuntimeException e) {
        j.done.completeExceptionally(e);
      }
    }
    if (live.isEmpty()) return;
    TrackedSequence[] sequences = new TrackedSequence[live.size()];
    for (int i = 0; i < sequences.length; i++) sequences[i] = leases.get(i).sequence;
    float[][][] rows;
    try {
      rows = TrackedSequence.appendAllBatch(model, sequences, feeds.toArray(new int[0][]));
    } catch (RuntimeException | Error e) {
      for (SessionStore.Lease l : leases) sessions.release(l, false); // their state is unknown
      throw e;
    }
    for (int i = 0; i < live.size(); i++) {
      Job j = live.get(i);
      sessions.release(leases.get(i), true);
      j.done.complete(new Result(leases.get(i).reused, rows[i]));
    }
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
