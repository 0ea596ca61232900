package dev.fsgen.runtime.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A second core for the rows of one matrix product. The rows are cut into chunks that the caller
 * and a helper thread claim from a shared counter, so a helper that the scheduler has not run yet
 * (two cores, other busy threads) costs nothing: the caller just takes more chunks. It waits only
 * for chunks the helper has claimed and is still computing.
 *
 * <p>Products of one decode step follow each other within microseconds, so between {@link #begin()}
 * and {@link #end()} the helper spins for the next one (a hand-off then costs about a microsecond
 * instead of a thread wake-up); outside a step it parks. One product at a time: a caller that finds
 * the helper taken computes all rows itself.
 */
final class RowSplit implements AutoCloseable {
  /** Computes rows [from, to) of a product. */
  interface Rows {
    void run(int from, int to);
  }

  /** One product being computed: rows handed out in chunks, and rows finished. */
  private static final class Job {
    final Rows rows;
    final int out;
    final int chunk;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();

    Job(Rows rows, int out, int chunk) {
      this.rows = rows;
      this.out = out;
      this.chunk = chunk;
    }

    void work() {
      int from;
      while ((from = next.getAndAdd(chunk)) < out) {
        int to = Math.min(from + chunk, out);
        rows.run(from, to);
        done.addAndGet(to - from);
      }
    }
  }

  // below this many multiply-adds a hand-off costs more than the share it takes
  private static final long MIN_WORK = 200_000;
  /** Cores a decode step may use: {@code -Dfsgen.decode.threads}, by default all of them; 1 = no helper. */
  static final boolean ENABLED = Integer.getInteger("fsgen.decode.threads", Runtime.getRuntime().availableProcessors()) >= 2;
  private final ReentrantLock owner = new ReentrantLock();
  private final Thread helper;
  private volatile Job job;
  private volatile boolean closed;
  private volatile boolean stepping;

  /** @param parallel whether to use a helper at all (also needs {@code fsgen.decode.threads} of 2 or more) */
  RowSplit(String name, boolean parallel) {
    helper = ENABLED && parallel ? new Thread(this::loop, name) : null;
    if (helper != null) {
      helper.setDaemon(true);
      helper.start();
    }
  }

  /** A decode step starts: keep the helper spinning between its products. */
  void begin() {
    stepping = true;
  }

  /** The step is over: the helper parks after its current chunk. */
  void end() {
    stepping = false;
  }

  /**
   * Runs units [0, out) (rows or panels of a product) in chunks of {@code chunk}, shared with the
   * helper when the work ({@code work} multiply-adds) is worth a hand-off.
   */
  void run(int out, int chunk, long work, Rows rows) {
    if (helper == null || work < MIN_WORK || out < 2 || closed || !owner.tryLock()) {
      rows.run(0, out);
      return;
    }
    try {
      Job j = new Job(rows, out, chunk);
      job = j;
      LockSupport.unpark(helper);
      j.work();
      while (j.done.get() < out) Thread.onSpinWait(); // the helper is finishing a chunk it claimed
    } finally {
      owner.unlock();
    }
  }

  private void loop() {
    Job last = null;
    while (!closed) {
      Job j = job;
      if (j != null && j != last) {
        j.work();
        last = j;
      } else if (stepping) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (helper != null) LockSupport.unpark(helper);
  }
}
