package dev.fsgen.service;

import dev.fsgen.decoding.Draft;
import dev.fsgen.decoding.Drafter;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching of everything a model service computes: block appends (NextToken and
 * BatchVerify) and drafts. The requests that arrive while a forward pass runs go together into
 * the next one, each on its own session cache, with blocks of different lengths at different
 * positions. A draft is a chain of dependent steps: each pass runs one step of every draft in
 * progress, so concurrent drafts share their passes too, and a new request joins a pass without
 * waiting for a draft to finish. At batch 1 a pass is bound by reading the weights, so requests
 * that share it get their tokens for little more than one read.
 */
final class BlockBatcher implements AutoCloseable {
  /**
   * What one block request got.
   *
   * @param reused prefix tokens that came from the session's cache
   * @param sequence the session's whole sequence after the append (the prefix, then the extra
   *     tokens), which the penalties count: [length]
   * @param rows logits after each appended token (the prefix's uncached tokens, then the extra ones),
   *     the last rows.length tokens of {@code sequence}: [t][vocab]
   */
  record Result(int reused, int[] sequence, float[][] rows) {}

  /** What one draft request got: the reused prefix tokens and the proposal. */
  record DraftResult(int reused, Draft draft) {}

  /** How to draft: the arguments of {@link Drafter} other than the tokens. */
  record DraftSpec(int gamma, SamplingParams params, long seed, boolean withDistributions, boolean withProbabilities) {}

  /** A request waiting for, or taking part in, passes. */
  private abstract static class Job {
    final String session;
    final CachedStart cached;
    final int[] sent;
    final CallScope call;
    SessionStore.Lease lease;

    Job(String session, CachedStart cached, int[] sent, CallScope call) {
      this.session = session;
      this.cached = cached;
      this.sent = sent;
      this.call = call;
    }

    /** Called once the session's sequence is leased. */
    abstract void leased();

    /** The tokens this job appends in the next pass. */
    abstract int[] feed();

    /** Takes the pass's logits for this job's feed; returns whether the job is finished. */
    abstract boolean took(float[][] rows);

    /** Answers a finished job (once its lease is given back, so that the caller's next request finds the cache free). */
    abstract void answer();

    abstract void fail(Throwable e);
  }

  private static final class BlockJob extends Job {
    final int[] extra;
    final CompletableFuture<Result> done = new CompletableFuture<>();
    int[] feed;

    BlockJob(String session, CachedStart cached, int[] sent, int[] extra, CallScope call) {
      super(session, cached, sent, call);
      this.extra = extra;
    }

    @Override
    void leased() {
      feed = Arrays.copyOf(lease.feed, lease.feed.length + extra.length);
      System.arraycopy(extra, 0, feed, lease.feed.length, extra.length);
    }

    @Override
    int[] feed() {
      return feed;
    }

    private float[][] rows;

    @Override
    boolean took(float[][] rows) {
      this.rows = rows;
      return true;
    }

    @Override
    void answer() {
      int[] sequence = Arrays.copyOf(lease.prefix, lease.prefix.length + extra.length);
      System.arraycopy(extra, 0, sequence, lease.prefix.length, extra.length);
      done.complete(new Result(lease.reused, sequence, rows));
    }

    @Override
    void fail(Throwable e) {
      done.completeExceptionally(e);
    }
  }

  private static final class DraftJob extends Job {
    final DraftSpec spec;
    final CompletableFuture<DraftResult> done = new CompletableFuture<>();
    Drafter drafter;

    DraftJob(String session, CachedStart cached, int[] sent, DraftSpec spec, CallScope call) {
      super(session, cached, sent, call);
      this.spec = spec;
    }

    @Override
    void leased() {
      drafter = new Drafter(lease.feed, lease.reused + lease.feed.length, spec.gamma(), spec.params(), spec.seed(),
          spec.withDistributions(), spec.withProbabilities(), lease.prefix);
    }

    @Override
    int[] feed() {
      return drafter.input();
    }

    @Override
    boolean took(float[][] rows) {
      drafter.accept(rows[rows.length - 1]);
      return drafter.done();
    }

    @Override
    void answer() {
      done.complete(new DraftResult(lease.reused, drafter.draft()));
    }

    @Override
    void fail(Throwable e) {
      done.completeExceptionally(e);
    }
  }

  private final LocalLanguageModel model;
  private final SessionStore sessions;
  private final ReentrantLock compute;
  private final int maxBatch;
  private final LongAdder busyNanos;
  private final LongAdder requests;
  private final LongAdder passes = new LongAdder();
  private final LinkedBlockingQueue<Job> pending = new LinkedBlockingQueue<>();
  /** Drafts with steps to go: each takes part in every pass until it is done (the worker's thread only). */
  private final List<Job> drafting = new ArrayList<>();
  private final Thread worker;
  private volatile boolean closed;

  /**
   * @param compute held for each pass
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

  /** Forward passes run so far (each served one or more requests). */
  long passes() {
    return passes.sum();
  }

  /**
   * Appends to the session's cache the prefix (the tokens after {@code cached}, or the whole
   * prefix when it is null) and then {@code extra}, in the next pass. The future completes on the
   * batcher's thread.
   */
  CompletableFuture<Result> submit(String session, CachedStart cached, int[] sent, int[] extra, CallScope call) {
    BlockJob j = new BlockJob(session, cached, sent, extra, call);
    enqueue(j);
    return j.done;
  }

  /** Appends the prefix's uncached tokens and drafts after them, one step per pass. */
  CompletableFuture<DraftResult> submitDraft(String session, CachedStart cached, int[] sent, DraftSpec spec, CallScope call) {
    DraftJob j = new DraftJob(session, cached, sent, spec, call);
    enqueue(j);
    return j.done;
  }

  private void enqueue(Job j) {
    if (closed) throw new ModelUnavailableException("the model is shutting down");
    pending.add(j);
  }

  private void loop() {
    while (!closed) {
      List<Job> fresh = new ArrayList<>();
      if (drafting.isEmpty()) {
        Job first;
        try {
          first = pending.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
        if (first == null) continue;
        fresh.add(first);
      }
      pending.drainTo(fresh, Math.max(1, maxBatch - drafting.size()) - fresh.size());
      compute.lock();
      long start = System.nanoTime();
      List<Job> finished = new ArrayList<>();
      try {
        pass(fresh, finished);
      } finally {
        busyNanos.add(System.nanoTime() - start);
        requests.add(fresh.size());
        passes.increment();
        compute.unlock();
      }
      // answered once the pass is counted: a caller that asks for the counters on its answer finds its pass in them
      for (Job j : finished) j.answer();
    }
    ModelUnavailableException down = new ModelUnavailableException("the model is shutting down");
    for (Job j : drafting) finish(j, down);
    drafting.clear();
    for (Job j; (j = pending.poll()) != null; ) j.fail(down);
  }

  /**
   * One forward pass: the new jobs' first feeds and the next step of every draft in progress. The
   * jobs it finishes go to {@code finished}, their leases given back, to be answered by the caller.
   */
  private void pass(List<Job> fresh, List<Job> finished) {
    List<Job> live = new ArrayList<>();
    for (Job j : drafting) {
      if (j.call.gone()) finish(j, gone(j, "while it was drafting"));
      else live.add(j);
    }
    drafting.clear();
    for (Job j : fresh) {
      try {
        j.lease = sessions.leaseFor(j.session, j.cached, j.sent, j.call);
        j.leased();
        live.add(j);
      } catch (RuntimeException e) {
        finish(j, e);
      }
    }
    if (live.isEmpty()) return;
    TrackedSequence[] sequences = new TrackedSequence[live.size()];
    int[][] feeds = new int[live.size()][];
    java.util.function.BooleanSupplier[] stops = new java.util.function.BooleanSupplier[live.size()];
    for (int i = 0; i < sequences.length; i++) {
      sequences[i] = live.get(i).lease.sequence;
      feeds[i] = live.get(i).feed();
      stops[i] = live.get(i).call::gone; // a long prompt stops between chunks once its caller has gone
    }
    float[][][] rows;
    try {
      rows = TrackedSequence.appendAllBatch(model, sequences, feeds, stops);
    } catch (RuntimeException | Error e) {
      for (Job j : live) finish(j, e); // their caches' state is unknown
      return;
    }
    for (int i = 0; i < live.size(); i++) {
      Job j = live.get(i);
      if (rows[i] == null || j.call.gone()) {
        // the caller has gone (cancelled, or past its deadline): nobody reads the answer, and a
        // cache kept now would stay until it expired, since the caller may already have ended the session
        finish(j, gone(j, rows[i] == null ? "during its " + feeds[i].length + " tokens, which were left unfinished"
            : "while its " + feeds[i].length + " tokens were computed"));
        continue;
      }
      boolean done;
      try {
        done = j.took(rows[i]);
      } catch (RuntimeException e) {
        finish(j, e);
        continue;
      }
      if (done) {
        sessions.release(j.lease, true);
        finished.add(j);
      } else {
        drafting.add(j);
      }
    }
  }

  /** Why a job whose caller has gone ends: its future fails with this, and its cache is dropped. */
  private static CancellationException gone(Job j, String what) {
    return new CancellationException("the call " + j.call.why() + " " + what
        + "; its cache was dropped");
  }

  /** Fails a job, giving back its lease (if it has one) as of unknown state. */
  private void finish(Job j, Throwable e) {
    if (j.lease != null) sessions.release(j.lease, false);
    j.lease = null;
    j.fail(e);
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
