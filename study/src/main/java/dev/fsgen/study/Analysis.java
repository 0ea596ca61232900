package dev.fsgen.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The study's figures, computed from the measurements alone (no model runs here). */
public final class Analysis {
  public static final int BINS = 10;

  /**
   * Interventions by relative position in the output, all pairs pooled, in FS-GEN's tenths
   * ({@link #bin}).
   *
   * @param tokens per bin, generated tokens
   * @param interventions per bin, tokens whose final choice differs from System 1's
   * @param rateIntervals per bin, the 95% interval of the rate (null where the data cannot tell)
   * @param shareByOutput per bin, FS-GEN's figure as the review defines it: the share of each
   *     output's interventions that fall in the bin, averaged over the outputs with at least one
   * @param shareIntervals per bin, the 95% interval of {@code shareByOutput}, prompts resampled whole
   *     (every pair's output for a prompt together); null where the data cannot tell
   * @param shareByPair per bin, FS-GEN's released heatmap ({@code visualize/mismatch_position_heatmap.py}):
   *     each pair's interventions pooled over its outputs, the share per bin, averaged over pairs
   * @param earlyExcess the first tenth's rate minus the mean rate of the other tenths, with its
   *     interval (null where the data cannot tell)
   */
  public record Positions(String method, String domain, long[] tokens, long[] interventions, Bootstrap.Interval[] rateIntervals,
      double[] shareByOutput, Bootstrap.Interval[] shareIntervals, double[] shareByPair, Bootstrap.Interval earlyExcess) {
    public double rate(int bin) {
      return tokens[bin] == 0 ? Double.NaN : (double) interventions[bin] / tokens[bin];
    }
  }

  /**
   * One uncertainty measure of System 1 at tokens where System 2 agreed (matched) and where it did
   * not (intervened), for one pair or all pairs pooled ({@link #POOLED}).
   */
  public record UncertaintyRow(String domain, String pair, String measure, double matchedMean, double intervenedMean, double auroc,
      int matched, int intervened, Bootstrap.Interval interval) {}

  public static final String POOLED = "all pairs";

  /**
   * @param slope the 95% interval of the log-linear slope (CF per e-fold of R), prompts resampled
   *     together for every pair (null where the data cannot tell)
   * @param sizeEffect the 95% interval of u + v in CF = c + u·ln N_S + v·ln N_L, the change of CF
   *     per e-fold of both sizes at a fixed ratio (0 where the ratio alone carries CF; null where
   *     the data cannot tell or the sizes are not separable)
   * @param pointIntervals each point's CF interval, in the order of {@code points}
   */
  public record FitRow(String method, String domain, ScalingFit.Fit fit, List<ScalingFit.Point> points, Bootstrap.Interval slope,
      Bootstrap.Interval sizeEffect, List<Bootstrap.Interval> pointIntervals) {}

  private Analysis() {}

  /**
   * The CF the scaling law is fitted to, as FS-GEN's code counts it: for proxy tuning against the
   * base small model ({@link #proxyBaseCf}), for every other method {@link UnitResult#collaborationFrequency}.
   */
  public static double fittedCf(UnitResult u) {
    return u.method().equals(Method.PROXY.id) ? proxyBaseCf(u) : u.collaborationFrequency();
  }

  /** Proxy tuning's tokens whose final choice differs from the base small model's greedy choice, over those scored by it; NaN where not measured. */
  public static double proxyBaseCf(UnitResult u) {
    long scored = 0;
    long differing = 0;
    for (UnitResult.TokenRecord r : u.records()) {
      if (r.differsFromBase() == null) continue;
      scored++;
      if (r.differsFromBase()) differing++;
    }
    return scored == 0 ? Double.NaN : (double) differing / scored;
  }

  /** Collaboration frequency per pair, for one method and domain, as points for the scaling law. */
  public static List<ScalingFit.Point> points(List<UnitResult> units, Method method, StudyDomain domain) {
    List<ScalingFit.Point> out = new ArrayList<>();
    for (UnitResult u : select(units, method, domain)) {
      if (!Double.isNaN(fittedCf(u))) out.add(new ScalingFit.Point(u.pair(), u.ratio(), u.smallParameters(), fittedCf(u)));
    }
    return out;
  }

  /**
   * The scaling-law fits per collaboration method and domain, where there are enough pairs (else a
   * null fit). Speculative decoding is left out: under greedy decoding its CF is the oracle's.
   */
  public static List<FitRow> fits(List<UnitResult> units) {
    List<FitRow> rows = new ArrayList<>();
    for (Method m : Method.values()) {
      if (!m.collaboration || m == Method.SPECULATIVE) continue;
      for (StudyDomain d : StudyDomain.values()) {
        List<ScalingFit.Point> pts = points(units, m, d);
        if (pts.isEmpty()) continue;
        boolean fittable = pts.size() >= 3 && pts.stream().mapToDouble(ScalingFit.Point::ratio).distinct().count() >= 2;
        List<Bootstrap.Interval> cis = new ArrayList<>();
        for (UnitResult u : select(units, m, d)) {
          if (!Double.isNaN(fittedCf(u))) cis.add(m == Method.PROXY ? Intervals.proxyBaseCf(u) : Intervals.cf(u));
        }
        List<UnitResult> sel = select(units, m, d);
        ScalingFit.Fit fit = fittable ? ScalingFit.fit(pts) : null;
        rows.add(new FitRow(m.id, d.id, fit, pts, fittable ? resampledFit(sel, ScalingFit.Form.LOG_RATIO, c -> c[1]) : null,
            fit != null && fit.logSizes() != null ? resampledFit(sel, ScalingFit.Form.LOG_SIZES, c -> c[1] + c[2]) : null, cis));
      }
    }
    return rows;
  }

  /**
   * The interval of a statistic of a linear model's coefficients: each resample draws prompts and
   * recomputes every pair's CF on them (the same prompts for all pairs), then refits the model.
   */
  static Bootstrap.Interval resampledFit(List<UnitResult> units, ScalingFit.Form form, java.util.function.ToDoubleFunction<double[]> statistic) {
    int prompts = units.stream().mapToInt(UnitResult::prompts).max().orElse(0);
    boolean proxy = units.stream().anyMatch(u -> u.method().equals(Method.PROXY.id));
    // per prompt, per unit: [differing, scored]
    List<long[][]> clusters = new ArrayList<>();
    for (int i = 0; i < prompts; i++) clusters.add(new long[units.size()][2]);
    for (int k = 0; k < units.size(); k++) {
      for (UnitResult.TokenRecord r : units.get(k).records()) {
        Boolean differs = proxy ? r.differsFromBase() : Boolean.valueOf(r.intervened());
        if (differs == null) continue;
        clusters.get(r.prompt())[k][1]++;
        if (differs) clusters.get(r.prompt())[k][0]++;
      }
    }
    return Intervals.of(clusters, sample -> {
      List<ScalingFit.Point> pts = new ArrayList<>();
      for (int k = 0; k < units.size(); k++) {
        long num = 0;
        long den = 0;
        for (long[][] c : sample) {
          num += c[k][0];
          den += c[k][1];
        }
        UnitResult u = units.get(k);
        if (den > 0) pts.add(new ScalingFit.Point(u.pair(), u.ratio(), u.smallParameters(), (double) num / den));
      }
      ScalingFit.Model m = pts.size() > form.parameters ? ScalingFit.model(form, pts) : null;
      return m == null ? Double.NaN : statistic.applyAsDouble(m.coefficients());
    });
  }

  private static List<UnitResult> select(List<UnitResult> units, Method method, StudyDomain domain) {
    return units.stream().filter(u -> u.method().equals(method.id) && u.domain().equals(domain.id)).toList();
  }

  /**
   * FS-GEN's tenth of the output for position {@code index} of {@code length}: the relative position
   * index / length binned as pandas {@code cut} bins it in their heatmap (right-closed tenths, the
   * first one including 0), so the first tenth is [0, 0.1] and the k-th (k/10, (k+1)/10]. Exact
   * integer arithmetic: a position on a boundary falls where the closed interval says, not where a
   * floating-point edge happens to lie.
   */
  static int bin(int index, int length) {
    if (index < 0 || index >= length) throw new IllegalArgumentException("position " + index + " outside an output of " + length);
    long scaled = (long) BINS * index; // bin = ceil(10·index / length) − 1, at least 0
    return (int) Math.max(0, (scaled + length - 1) / length - 1);
  }

  public static List<Positions> positions(List<UnitResult> units) {
    List<Positions> out = new ArrayList<>();
    for (Method m : Method.values()) {
      if (!m.collaboration) continue;
      for (StudyDomain d : StudyDomain.values()) {
        List<UnitResult> sel = select(units, m, d);
        if (!sel.isEmpty()) out.add(positions(m.id, d.id, sel));
      }
    }
    return out;
  }

  /** The position figures of one method and domain over the given units (one per pair). */
  static Positions positions(String method, String domain, List<UnitResult> units) {
    long[] tokens = new long[BINS];
    long[] interventions = new long[BINS];
    double[] byOutput = new double[BINS];
    double[] byPair = new double[BINS];
    int outputs = 0;
    int pairs = 0;
    // per prompt, the share vector of each of its outputs (one per pair): what the share's interval resamples
    int prompts = units.stream().mapToInt(UnitResult::prompts).max().orElse(0);
    List<List<double[]>> shares = new ArrayList<>();
    for (int i = 0; i < prompts; i++) shares.add(new ArrayList<>());
    for (UnitResult u : units) {
      long[] pairCounts = new long[BINS];
      Map<Integer, long[]> perOutput = new LinkedHashMap<>();
      for (UnitResult.TokenRecord r : u.records()) {
        int b = bin(r.position(), r.length());
        tokens[b]++;
        if (!r.intervened()) continue;
        interventions[b]++;
        pairCounts[b]++;
        perOutput.computeIfAbsent(r.prompt(), k -> new long[BINS])[b]++;
      }
      for (Map.Entry<Integer, long[]> e : perOutput.entrySet()) {
        double[] share = new double[BINS];
        addShares(share, e.getValue());
        for (int b = 0; b < BINS; b++) byOutput[b] += share[b];
        shares.get(e.getKey()).add(share);
        outputs++;
      }
      if (addShares(byPair, pairCounts)) pairs++;
    }
    for (int b = 0; b < BINS; b++) {
      byOutput[b] = outputs == 0 ? Double.NaN : byOutput[b] / outputs;
      byPair[b] = pairs == 0 ? Double.NaN : byPair[b] / pairs;
    }
    Bootstrap.Interval[] intervals = new Bootstrap.Interval[BINS];
    for (int b = 0; b < BINS; b++) {
      final int bin = b;
      intervals[b] = Intervals.tokenRatio(units, r -> bin(r.position(), r.length()) == bin, UnitResult.TokenRecord::intervened);
    }
    return new Positions(method, domain, tokens, interventions, intervals, byOutput, shareIntervals(shares), byPair, earlyExcess(units));
  }

  /** Per bin, the interval of the mean per-output share: a cluster is a prompt's outputs (one per pair), each as its share vector. */
  private static Bootstrap.Interval[] shareIntervals(List<List<double[]>> clusters) {
    Bootstrap.Interval[] out = new Bootstrap.Interval[BINS];
    for (int b = 0; b < BINS; b++) {
      final int bin = b;
      out[b] = Intervals.of(clusters, sample -> {
        double sum = 0;
        int n = 0;
        for (List<double[]> outputs : sample) {
          for (double[] share : outputs) {
            sum += share[bin];
            n++;
          }
        }
        return n == 0 ? Double.NaN : sum / n;
      });
    }
    return out;
  }

  /** Adds counts / their sum to {@code into}; false (and nothing added) where the counts are all 0. */
  private static boolean addShares(double[] into, long[] counts) {
    long all = 0;
    for (long c : counts) all += c;
    if (all == 0) return false;
    for (int b = 0; b < BINS; b++) into[b] += (double) counts[b] / all;
    return true;
  }

  /** The first tenth's intervention rate minus the mean rate of the other tenths that hold tokens, with prompts resampled. */
  private static Bootstrap.Interval earlyExcess(List<UnitResult> units) {
    int prompts = units.stream().mapToInt(UnitResult::prompts).max().orElse(0);
    List<long[][]> clusters = new ArrayList<>(); // per prompt: [tokens per bin, interventions per bin]
    for (int i = 0; i < prompts; i++) clusters.add(new long[2][BINS]);
    for (UnitResult u : units) {
      for (UnitResult.TokenRecord r : u.records()) {
        int b = bin(r.position(), r.length());
        clusters.get(r.prompt())[0][b]++;
        if (r.intervened()) clusters.get(r.prompt())[1][b]++;
      }
    }
    return Intervals.of(clusters, sample -> {
      long[] t = new long[BINS];
      long[] v = new long[BINS];
      for (long[][] c : sample) {
        for (int b = 0; b < BINS; b++) {
          t[b] += c[0][b];
          v[b] += c[1][b];
        }
      }
      double rest = 0;
      int n = 0;
      for (int b = 1; b < BINS; b++) {
        if (t[b] == 0) continue;
        rest += (double) v[b] / t[b];
        n++;
      }
      return t[0] == 0 || n == 0 ? Double.NaN : (double) v[0] / t[0] - rest / n;
    });
  }

  /**
   * From the oracle's records, pooled over pairs and for each pair: each measure for matched and
   * intervened tokens, and its AUROC for predicting an intervention with its interval.
   */
  public static List<UncertaintyRow> uncertainty(List<UnitResult> units) {
    List<UncertaintyRow> rows = new ArrayList<>();
    for (StudyDomain d : StudyDomain.values()) {
      List<UnitResult> oracle = select(units, Method.ORACLE, d);
      if (oracle.stream().noneMatch(u -> u.records().stream().anyMatch(UnitResult.TokenRecord::hasUncertainty))) continue;
      rows.addAll(rows(d, POOLED, oracle));
      for (UnitResult u : oracle) rows.addAll(rows(d, u.pair(), List.of(u)));
    }
    return rows;
  }

  private static List<UncertaintyRow> rows(StudyDomain d, String pair, List<UnitResult> oracle) {
    List<UnitResult.TokenRecord> records = new ArrayList<>();
    for (UnitResult u : oracle) for (UnitResult.TokenRecord r : u.records()) if (r.hasUncertainty()) records.add(r);
    // the sign makes "higher score = more likely an intervention" for each measure
    return List.of(row(d, pair, oracle, "entropy", records, UnitResult.TokenRecord::entropy, 1),
        row(d, pair, oracle, "top-1 probability", records, UnitResult.TokenRecord::top1, -1),
        row(d, pair, oracle, "top-1/top-2 margin", records, UnitResult.TokenRecord::margin, -1));
  }

  private static UncertaintyRow row(StudyDomain d, String pair, List<UnitResult> oracle, String measure, List<UnitResult.TokenRecord> records,
      java.util.function.ToDoubleFunction<UnitResult.TokenRecord> f, int sign) {
    double[] pos = records.stream().filter(UnitResult.TokenRecord::intervened).mapToDouble(f).toArray();
    double[] neg = records.stream().filter(r -> !r.intervened()).mapToDouble(f).toArray();
    double[] sPos = new double[pos.length];
    double[] sNeg = new double[neg.length];
    for (int i = 0; i < pos.length; i++) sPos[i] = sign * pos[i];
    for (int i = 0; i < neg.length; i++) sNeg[i] = sign * neg[i];
    return new UncertaintyRow(d.id, pair, measure, mean(neg), mean(pos), Auroc.of(sPos, sNeg), neg.length, pos.length,
        Intervals.auroc(oracle, f, sign));
  }

  private static double mean(double[] v) {
    if (v.length == 0) return Double.NaN;
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }
}
