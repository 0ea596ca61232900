package dev.fsgen.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The study's figures, computed from the measurements alone (no model runs here). */
public final class Analysis {
  public static final int BINS = 10;

  /** Interventions by relative position in the output: rate (interventions ÷ tokens) and share of all interventions per 10% bin. */
  public record Positions(String method, String domain, long[] tokens, long[] interventions) {
    public double rate(int bin) {
      return tokens[bin] == 0 ? Double.NaN : (double) interventions[bin] / tokens[bin];
    }

    public double share(int bin) {
      long all = 0;
      for (long v : interventions) all += v;
      return all == 0 ? Double.NaN : (double) interventions[bin] / all;
    }
  }

  /** One uncertainty measure of System 1 at tokens where System 2 agreed (matched) and where it did not (intervened). */
  public record UncertaintyRow(String domain, String measure, double matchedMean, double intervenedMean, double auroc, int matched, int intervened) {}

  public record FitRow(String method, String domain, ScalingFit.Fit fit, List<ScalingFit.Point> points) {}

  private Analysis() {}

  /** Collaboration frequency per pair, for one method and domain, as points for the scaling law. */
  public static List<ScalingFit.Point> points(List<UnitResult> units, Method method, StudyDomain domain) {
    List<ScalingFit.Point> out = new ArrayList<>();
    for (UnitResult u : units) {
      if (u.method().equals(method.id) && u.domain().equals(domain.id) && !Double.isNaN(u.collaborationFrequency())) {
        out.add(new ScalingFit.Point(u.pair(), u.ratio(), u.smallParameters(), u.collaborationFrequency()));
      }
    }
    return out;
  }

  /** The scaling-law fit per collaboration method and domain, where there are enough pairs (else a null fit). */
  public static List<FitRow> fits(List<UnitResult> units) {
    List<FitRow> rows = new ArrayList<>();
    for (Method m : Method.values()) {
      if (!m.collaboration) continue;
      for (StudyDomain d : StudyDomain.values()) {
        List<ScalingFit.Point> pts = points(units, m, d);
        if (pts.isEmpty()) continue;
        boolean fittable = pts.size() >= 3 && pts.stream().mapToDouble(ScalingFit.Point::ratio).distinct().count() >= 2;
        rows.add(new FitRow(m.id, d.id, fittable ? ScalingFit.fit(pts) : null, pts));
      }
    }
    return rows;
  }

  public static List<Positions> positions(List<UnitResult> units) {
    Map<String, Positions> byKey = new LinkedHashMap<>();
    for (Method m : Method.values()) {
      if (!m.collaboration) continue;
      for (StudyDomain d : StudyDomain.values()) {
        for (UnitResult u : units) {
          if (!u.method().equals(m.id) || !u.domain().equals(d.id)) continue;
          Positions p = byKey.computeIfAbsent(m.id + "/" + d.id, k -> new Positions(m.id, d.id, new long[BINS], new long[BINS]));
          for (UnitResult.TokenRecord r : u.records()) {
            int bin = Math.min(BINS - 1, (int) ((long) BINS * r.position() / r.length()));
            p.tokens()[bin]++;
            if (r.intervened()) p.interventions()[bin]++;
          }
        }
      }
    }
    return new ArrayList<>(byKey.values());
  }

  /** From the oracle's records, pooled over pairs: each measure for matched and intervened tokens, and its AUROC for predicting an intervention. */
  public static List<UncertaintyRow> uncertainty(List<UnitResult> units) {
    List<UncertaintyRow> rows = new ArrayList<>();
    for (StudyDomain d : StudyDomain.values()) {
      List<UnitResult.TokenRecord> records = new ArrayList<>();
      for (UnitResult u : units) {
        if (u.method().equals(Method.ORACLE.id) && u.domain().equals(d.id)) {
          for (UnitResult.TokenRecord r : u.records()) if (r.hasUncertainty()) records.add(r);
        }
      }
      if (records.isEmpty()) continue;
      // the sign makes "higher score = more likely an intervention" for each measure
      rows.add(row(d, "entropy", records, UnitResult.TokenRecord::entropy, 1));
      rows.add(row(d, "top-1 probability", records, UnitResult.TokenRecord::top1, -1));
      rows.add(row(d, "top-1/top-2 margin", records, UnitResult.TokenRecord::margin, -1));
    }
    return rows;
  }

  private static UncertaintyRow row(StudyDomain d, String measure, List<UnitResult.TokenRecord> records,
      java.util.function.ToDoubleFunction<UnitResult.TokenRecord> f, int sign) {
    double[] pos = records.stream().filter(UnitResult.TokenRecord::intervened).mapToDouble(f).toArray();
    double[] neg = records.stream().filter(r -> !r.intervened()).mapToDouble(f).toArray();
    double[] sPos = new double[pos.length];
    double[] sNeg = new double[neg.length];
    for (int i = 0; i < pos.length; i++) sPos[i] = sign * pos[i];
    for (int i = 0; i < neg.length; i++) sNeg[i] = sign * neg[i];
    return new UncertaintyRow(d.id, measure, mean(neg), mean(pos), Auroc.of(sPos, sNeg), neg.length, pos.length);
  }

  private static double mean(double[] v) {
    if (v.length == 0) return Double.NaN;
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }
}
