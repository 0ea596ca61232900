package dev.fsgen.bench;

import java.util.Arrays;

/** Order statistics of timing samples in nanoseconds. */
public final class Samples {
  private final long[] sorted;

  public Samples(long[] nanos) {
    if (nanos.length == 0) throw new IllegalArgumentException("no samples");
    this.sorted = nanos.clone();
    Arrays.sort(sorted);
  }

  public int count() {
    return sorted.length;
  }

  /** Nearest-rank percentile, q in [0, 1]: an observed value, never an interpolation. */
  public long percentile(double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  public long median() {
    return percentile(0.5);
  }

  public long min() {
    return sorted[0];
  }

  public double mean() {
    double sum = 0;
    for (long v : sorted) sum += v;
    return sum / sorted.length;
  }

  static double ms(double nanos) {
    return nanos / 1e6;
  }
}
