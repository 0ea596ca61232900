package dev.fsgen.runtime.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A second core for the rows of one matrix product. The rows are cut into chunks that the caller
 * claims from the front and a helper thread from the back, so a helper that the scheduler has not
 * run yet (two cores, other busy threads) costs nothing: the caller just takes more chunks. It
 * waits only for chunks the helper has claimed and is still computing.
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

  /**
   * One product being computed. The caller claims chunks from the front, the helper from the
   * back, so each core mostly works on the same half of every matrix from one step to the next
   * (whatever of that half its own cache holds is still there), while a helper that runs late just
   * leaves more chunks to the caller.
   */
  private static final class Job {
    final Rows rows;
    final int out;
    final int chunk;
    /** front in the high 32 bits, back in the low: [front, back) is still unclaimed. */
    final AtomicLong range;
    final AtomicInteger done = new AtomicInteger();

    Job(Rows rows, int out, int chunk) {
      this.rows = rows;
      this.out = out;
      this.chunk = chunk;
      this.range = new AtomicLong(out); // front 0, back out
    }

    /** Claims and runs chunks from one end until none is left. */
    void work(boolean fromFront) {
      while (true) {
        long r = range.get();
        int front = (int) (r >>> 32);
        int back = (int) r;
        if (front >= back) return;
        int from = fromFront ? front : Math.max(front, back - chunk);
        int to = fromFront ? Math.min(back, front + chunk) : back;
        long next = fromFront ? ((long) to << 32) | back : ((long) front << 32) | from;
        if (!range.compareAndSet(r, next)) continue;
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

  RowSplit(String name) {
    helper = ENABLED ? new Thread(this::loop, name) : null;
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
      j.work(true);
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
        j.work(false);
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
