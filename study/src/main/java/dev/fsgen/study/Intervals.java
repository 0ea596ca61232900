package dev.fsgen.study;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The report's 95% intervals, each from {@link Bootstrap} with prompts resampled whole. Where a
 * figure pools pairs, the clusters are the prompts, not the (pair, prompt) outputs: every pair runs
 * on the same prompts, so a prompt that is hard for one pair tends to be hard for all, and resampling
 * it once for all pairs keeps that dependence. Each method returns null where the bootstrap refuses
 * the data (too few prompts, or a statistic undefined on too many resamples): the report then says
 * that the data cannot tell.
 */
final class Intervals {
  /** One seed for the whole report, so that rerunning it gives the same intervals. */
  static final long SEED = 20240618L;
  static final Bootstrap BOOTSTRAP = new Bootstrap(SEED);

  private Intervals() {}

  /** Collaboration frequency: intervened tokens over generated tokens, per prompt. */
  static Bootstrap.Interval cf(UnitResult u) {
    return tokenRatio(List.of(u), r -> true, UnitResult.TokenRecord::intervened);
  }

  /** Proxy tuning's CF counted as FS-GEN counts it, against the base small model: null where it was not measured. */
  static Bootstrap.Interval proxyBaseCf(UnitResult u) {
    return tokenRatio(List.of(u), r -> r.differsFromBase() != null, r -> Boolean.TRUE.equals(r.differsFromBase()));
  }

  /** The share of tokens (of those {@code counted}) that {@code hit}, with prompts of every unit resampled together. */
  static Bootstrap.Interval tokenRatio(List<UnitResult> units, Predicate<UnitResult.TokenRecord> counted, Predicate<UnitResult.TokenRecord> hit) {
    int prompts = units.stream().mapToInt(UnitResult::prompts).max().orElse(0);
    long[] num = new long[prompts];
    long[] den = new long[prompts];
    for (UnitResult u : units) {
      for (UnitResult.TokenRecord r : u.records()) {
        if (!counted.test(r)) continue;
        den[r.prompt()]++;
        if (hit.test(r)) num[r.prompt()]++;
      }
    }
    return safely(() -> BOOTSTRAP.ratio(num, den));
  }

  /** Exact-match accuracy over problems; null in measurements that did not keep each problem's result. */
  static Bootstrap.Interval accuracy(boolean[] correct) {
    if (correct == null) return null;
    long[] num = new long[correct.length];
    long[] one = new long[correct.length];
    for (int i = 0; i < correct.length; i++) {
      num[i] = correct[i] ? 1 : 0;
      one[i] = 1;
    }
    return safely(() -> BOOTSTRAP.ratio(num, one));
  }

  /**
   * The AUROC of one uncertainty measure for telling intervened tokens from matched ones, over the
   * oracle records of the given units (one pair, or all pairs pooled), prompts resampled whole.
   *
   * @param sign +1 where a higher value means more uncertain (entropy), −1 where lower does
   */
  static Bootstrap.Interval auroc(List<UnitResult> oracleUnits, ToDoubleFunction<UnitResult.TokenRecord> measure, int sign) {
    int prompts = oracleUnits.stream().mapToInt(UnitResult::prompts).max().orElse(0);
    List<List<Double>> pos = new ArrayList<>();
    List<List<Double>> neg = new ArrayList<>();
    for (int i = 0; i < prompts; i++) {
      pos.add(new ArrayList<>());
      neg.add(new ArrayList<>());
    }
    for (UnitResult u : oracleUnits) {
      for (UnitResult.TokenRecord r : u.records()) {
        if (!r.hasUncertainty()) continue;
        (r.intervened() ? pos : neg).get(r.prompt()).add(sign * measure.applyAsDouble(r));
      }
    }
    return safely(() -> BOOTSTRAP.auroc(arrays(pos), arrays(neg)));
  }

  /** Any statistic of the prompts, where each cluster is a prompt index; null where the bootstrap refuses. */
  static <T> Bootstrap.Interval of(List<T> clusters, ToDoubleFunction<List<T>> statistic) {
    return safely(() -> BOOTSTRAP.of(clusters, statistic));
  }

  private static List<double[]> arrays(List<List<Double>> lists) {
    return lists.stream().map(l -> l.stream().mapToDouble(Double::doubleValue).toArray()).toList();
  }

  private static Bootstrap.Interval safely(java.util.function.Supplier<Bootstrap.Interval> compute) {
    try {
      return compute.get();
    } catch (IllegalArgumentException e) {
      return null; // too few prompts or an undefined statistic: the report says the data cannot tell
    }
  }
}
