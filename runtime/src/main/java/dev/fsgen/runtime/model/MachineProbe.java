package dev.fsgen.runtime.model;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What this machine can do at best, measured with the same vector shape as the decode kernels, so
 * that a kernel's figures can be set beside its peak in the same run: the fused multiply-add peak
 * (independent accumulators, no memory traffic) and the time to stream a number of bytes once
 * (the weight-read floor of a decode step).
 */
public final class MachineProbe {
  private static final VectorSpecies<Float> F = PanelKernels.F;
  private static final VectorSpecies<Integer> I = PanelKernels.I;
  private static volatile float sink;

  private MachineProbe() {}

  /** GFLOP/s of fused multiply-adds on {@code threads} cores at once (2 flops each, per lane), best of a few tries. */
  public static double fmaGflops(int threads) {
    long iterations = 20_000_000;
    long warm = System.nanoTime() + 500_000_000L;
    while (System.nanoTime() < warm) fmaLoop(100_000); // until C2 has compiled the loop (not only its OSR form)
    double best = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
      double s = parallelSeconds(threads, () -> fmaLoop(iterations));
      best = Math.max(best, threads * iterations * 12.0 * F.length() * 2 / s / 1e9);
    }
    return best;
  }

  private static void fmaLoop(long iterations) {
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    FloatVector b = FloatVector.broadcast(F, 0.999999f);
    FloatVector c = FloatVector.broadcast(F, 1e-7f);
    for (long i = 0; i < iterations; i++) {
      a0 = a0.fma(b, c); a1 = a1.fma(b, c); a2 = a2.fma(b, c); a3 = a3.fma(b, c); a4 = a4.fma(b, c); a5 = a5.fma(b, c);
      a6 = a6.fma(b, c); a7 = a7.fma(b, c); a8 = a8.fma(b, c); a9 = a9.fma(b, c); a10 = a10.fma(b, c); a11 = a11.fma(b, c);
    }
    sink = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }

  /**
   * Median seconds to read {@code bytes} once, split over {@code threads} cores, in vector loads
   * from a heap array as the kernels read their packed weights. Whether that comes from the cache
   * or from memory depends on the size, as it does for a model's weights.
   */
  public static double readSeconds(long bytes, int threads, int samples) {
    int n = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(I.length(), bytes / Integer.BYTES));
    int[] data = new int[n - n % (threads * I.length())];
    Arrays.fill(data, 1);
    // until C2 has compiled the loop and the pages are in: the first runs measure the interpreter
    long warm = System.nanoTime() + 500_000_000L;
    int runs = 0;
    while (System.nanoTime() < warm || runs < 3) {
      sum(data, 0, 1);
      runs++;
    }
    double[] timed = new double[samples];
    for (int i = 0; i < timed.length; i++) timed[i] = parallelSeconds(threads, part -> sum(data, part, threads));
    Arrays.sort(timed);
    return timed[timed.length / 2];
  }

  private static void sum(int[] data, int part, int parts) {
    int len = data.length / parts;
    int from = part * len;
    IntVector acc0 = IntVector.zero(I), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int step = I.length();
    int i = from;
    for (; i + 4 * step <= from + len; i += 4 * step) {
      acc0 = acc0.add(IntVector.fromArray(I, data, i));
      acc1 = acc1.add(IntVector.fromArray(I, data, i + step));
      acc2 = acc2.add(IntVector.fromArray(I, data, i + 2 * step));
      acc3 = acc3.add(IntVector.fromArray(I, data, i + 3 * step));
    }
    for (; i + step <= from + len; i += step) acc0 = acc0.add(IntVector.fromArray(I, data, i));
    sink = acc0.add(acc1).add(acc2).add(acc3).reduceLanes(VectorOperators.ADD);
  }

  private static double parallelSeconds(int threads, Runnable body) {
    return parallelSeconds(threads, part -> body.run());
  }

  private interface Part {
    void run(int part);
  }

  /** Runs {@code body} on {@code threads} threads at once (the caller is one of them); wall seconds. */
  private static double parallelSeconds(int threads, Part body) {
    Thread[] others = new Thread[threads - 1];
    AtomicLong ready = new AtomicLong();
    for (int t = 0; t < others.length; t++) {
      int part = t + 1;
      others[t] = new Thread(() -> {
        ready.incrementAndGet();
        body.run(part);
      });
      others[t].start();
    }
    while (ready.get() < others.length) Thread.onSpinWait();
    long t0 = System.nanoTime();
    body.run(0);
    for (Thread t : others) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while measuring", e);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
