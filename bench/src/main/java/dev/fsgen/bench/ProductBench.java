package dev.fsgen.bench;

import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.MachineProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The Java decode path's matrix products beside what the machine can do, in one run: every
 * product of a pass over 1 to 16 rows (one token, a verified draft, a batched pass), in ms, in
 * GFLOP/s and as a share of the fused multiply-add peak measured here on the same cores; the
 * one-token step against the time to read the packed weights once; and the step on one core
 * against two, which is how the decode path picks its threading per model.
 */
public final class ProductBench {
  /** Products of this many rows and more should run at this share of the peak or better. */
  public static final double PEAK_SHARE_TARGET = 0.60;
  static final int[] ROWS = {1, 2, 4, 5, 8, 16};

  private ProductBench() {}

  /**
   * One row count.
   *
   * @param ms median time of every product of one pass over {@code rows} rows
   * @param onePasses ms over the one-row figure: what the rows cost in one-row passes
   */
  public record Row(int rows, double ms, double msPerRow, double gflops, double peakShare, double onePasses) {}

  /**
   * @param threads cores the products use (the model's default threading)
   * @param peakGflops fused multiply-add peak on {@code threads} cores, measured in this run
   * @param peakOneCoreGflops and on one core
   * @param readFloorMs time to stream the packed weights once on {@code threads} cores
   * @param stepMs median one-token step (attention and all) with the default threading
   * @param stepOneCoreMs, stepTwoCoresMs the same step with the products on one core and on two
   *     (null where this machine has one core: JSON has no NaN)
   */
  public record Figures(String format, long packedBytes, long macsPerRow, int threads, double peakGflops,
      double peakOneCoreGflops, List<Row> rows, double readFloorMs, double readGbPerSecond, double stepMs,
      double stepOverReadFloor, double stepOneCoreMs, Double stepTwoCoresMs, boolean defaultThreadingFastest,
      double lowestPeakShareFrom4Rows, boolean peakShareTargetMet) {}

  public static Figures measure(LlamaModel model, Consumer<String> progress) {
    boolean parallel = model.decodeParallel();
    int threads = parallel ? 2 : 1;
    progress.accept("products: peak of the cores");
    double peak = MachineProbe.fmaGflops(threads);
    double peakOne = threads == 1 ? peak : MachineProbe.fmaGflops(1);
    long macs = model.productMacsPerRow();
    List<Row> rows = new ArrayList<>();
    double one = 0;
    double lowest = Double.POSITIVE_INFINITY;
    for (int r : ROWS) {
      progress.accept("products: " + r + " row" + (r == 1 ? "" : "s"));
      double ms = medianMs(model.productPass(r), 1500);
      if (r == 1) one = ms;
      double gflops = 2.0 * macs * r / ms / 1e6;
      rows.add(new Row(r, ms, ms / r, gflops, gflops / peak, ms / one));
      if (r >= 4) lowest = Math.min(lowest, gflops / peak);
    }
    progress.accept("products: read floor of " + model.decodeBytes() + " bytes");
    double floorMs = MachineProbe.readSeconds(model.decodeBytes(), threads, 15) * 1e3;
    progress.accept("products: one-token step on one core and on two");
    double stepMs = stepMs(model);
    model.decodeParallel(false);
    double oneCore = stepMs(model);
    model.decodeParallel(true);
    Double twoCores = model.decodeParallel() ? stepMs(model) : null;
    model.decodeParallel(parallel);
    boolean fastest = twoCores == null || (parallel ? twoCores <= oneCore : oneCore <= twoCores);
    return new Figures(model.weightFormat().toString(), model.decodeBytes(), macs, threads, peak, peakOne, rows, floorMs,
        model.decodeBytes() / floorMs / 1e6, stepMs, stepMs / floorMs, oneCore, twoCores, fastest, lowest,
        lowest >= PEAK_SHARE_TARGET);
  }

  /** Median ms of {@code op} once its time has settled (warm-up for about {@code warmMs}). */
  private static double medianMs(Runnable op, long warmMs) {
    long until = System.nanoTime() + warmMs * 1_000_000L;
    int warm = 0;
    while (System.nanoTime() < until || warm < 5) {
      op.run();
      warm++;
    }
    int n = Math.max(15, Math.min(400, warm / 2));
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      op.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    return t[n / 2];
  }

  /** Median ms of a one-token step after a 32-token prefix (the step rolled back each time). */
  private static double stepMs(LlamaModel model) {
    try (KvCache cache = model.newCache(1)) {
      int v = model.config().vocabSize();
      int[] prefix = new int[32];
      for (int i = 0; i < prefix.length; i++) prefix[i] = (i * 37 + 11) % v;
      model.next(prefix, cache);
      int[] token = {5 % v};
      return medianMs(() -> {
        model.next(token, cache);
        cache.rollback(prefix.length);
      }, 1500);
    }
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "products (%s weights, %.1f MB packed, %.2f M multiply-adds per row, %d core%s): "
        + "peak %.0f GFLOP/s measured here (%.0f on one core)%n", f.format(), f.packedBytes() / 1e6, f.macsPerRow() / 1e6,
        f.threads(), f.threads() == 1 ? "" : "s", f.peakGflops(), f.peakOneCoreGflops()));
    b.append(String.format(Locale.ROOT, "  %5s %10s %10s %9s %8s %12s%n", "rows", "ms", "ms/row", "GFLOP/s", "% peak", "1-row passes"));
    for (Row r : f.rows()) {
      b.append(String.format(Locale.ROOT, "  %5d %10.3f %10.3f %9.1f %7.0f%% %12.2f%n", r.rows(), r.ms(), r.msPerRow(), r.gflops(),
          100 * r.peakShare(), r.onePasses()));
    }
    b.append(String.format(Locale.ROOT, "  lowest share of peak at 4-16 rows %.0f%% (target >= %.0f%%: %s)%n",
        100 * f.lowestPeakShareFrom4Rows(), 100 * PEAK_SHARE_TARGET, f.peakShareTargetMet() ? "met" : "NOT met"));
    b.append(String.format(Locale.ROOT, "  one-token step %.3f ms; reading the packed weights once %.3f ms (%.1f GB/s): step / read floor %.2fx%n",
        f.stepMs(), f.readFloorMs(), f.readGbPerSecond(), f.stepOverReadFloor()));
    b.append(String.format(Locale.ROOT, "  step with the products on one core %.3f ms, on two %s: the default (%s) is %s%n",
        f.stepOneCoreMs(), f.stepTwoCoresMs() == null ? "-" : String.format(Locale.ROOT, "%.3f ms", f.stepTwoCoresMs()),
        f.threads() == 1 ? "one core" : "two cores",
        f.defaultThreadingFastest() ? "the faster" : "NOT the faster"));
    return b.toString();
  }
}
