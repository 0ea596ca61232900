package dev.fsgen.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes the study's report: {@code README.md} with the tables, the PNG plots beside it, and the
 * raw data as CSV. Everything in it is computed from the measurements; nothing is written by hand.
 */
public final class Report {
  /** FS-GEN's published figures (arXiv 2406.12295, Qwen1.5 pairs from 0.5B to 72B), for side-by-side comparison. */
  private static final String PAPER = """
      | measure | FS-GEN (Qwen1.5, 0.5B–72B) | fsgen (this family) |
      |---|---|---|
      | oracle collaboration frequency | GSM8K 6.6–15.2%%, MMLU-STEM 9.5–21.9%%, MBPP 8.3–15.9%% | %s |
      | contrastive decoding | GSM8K 3.7–8.4%% | %s |
      | proxy tuning | GSM8K 11.4–18.6%% | %s |
      | scaling-law R² (refit of their published data) | oracle and contrastive 0.67–0.93, proxy 0.38–0.60 | %s |
      """;

  /** Where the run's settings are described. */
  public record Setup(List<FamilyModels.Member> models, PromptSet.Sizes sizes, int pairs, boolean quick, WallTime wall) {}

  /**
   * Wall time of every run on one set of measurements, kept beside them ({@code wall.json}): a study
   * interrupted and resumed, or rerun to regenerate its page, reports the sum of its runs.
   */
  public record WallTime(double seconds, int runs) {
    public static WallTime add(Path workDir, double seconds) throws IOException {
      Path file = workDir.resolve("wall.json");
      WallTime before = new WallTime(0, 0);
      if (Files.isRegularFile(file)) {
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        before = new WallTime(o.get("seconds").getAsDouble(), o.get("runs").getAsInt());
      }
      WallTime now = new WallTime(before.seconds + seconds, before.runs + 1);
      Files.createDirectories(workDir);
      Files.writeString(file, String.format(Locale.ROOT, "{\"seconds\": %.3f, \"runs\": %d}%n", now.seconds, now.runs));
      return now;
    }
  }

  private Report() {}

  public static void write(Path dir, Setup setup, StudyRunner.Results results) throws IOException {
    Files.createDirectories(dir);
    List<UnitResult> units = results.units();
    List<Analysis.FitRow> fits = Analysis.fits(units);
    List<Analysis.Positions> positions = Analysis.positions(units);
    List<Analysis.UncertaintyRow> uncertainty = Analysis.uncertainty(units);
    Set<String> sweptPairs = new LinkedHashSet<>();
    for (SweepResult s : results.sweep()) sweptPairs.add(s.pair());

    for (StudyDomain d : domains(units)) Charts.cfVsRatio(dir.resolve("cf-vs-ratio-" + d.id + ".png"), d, fits);
    Charts.positions(dir.resolve("positions-oracle.png"), Method.ORACLE.id, positions);
    Charts.uncertainty(dir.resolve("uncertainty-auroc.png"), uncertainty);
    for (String pair : sweptPairs) {
      String key = pair.replace("→", "_");
      Charts.tradeoff(dir.resolve("tradeoff-accuracy-" + key + ".png"), pair, results.sweep(), false,
          accuracy(units, pair, Method.SYSTEM1_ONLY), accuracy(units, pair, Method.ORACLE));
      Charts.tradeoff(dir.resolve("tradeoff-agreement-" + key + ".png"), pair, results.sweep(), true,
          agreement(units, pair, Method.SYSTEM1_ONLY), 1.0);
    }
    CsvExport.write(dir, results, fits, positions, uncertainty);

    StringBuilder md = new StringBuilder();
    md.append("# The FS-GEN study on fsgen's model family\n\n");
    md.append("Written by `./fsgen study").append(setup.quick() ? " --quick" : "").append("`: every figure, table and plot below comes from that command")
        .append(" (rerun it to regenerate this page). Raw data: the CSV files beside this page.\n\n");
    setup(md, setup, units);
    collaboration(md, units);
    scaling(md, fits, domains(units));
    positions(md, positions);
    uncertainty(md, uncertainty);
    tradeoff(md, units, results.sweep(), sweptPairs);
    paper(md, units, fits, uncertainty, positions);
    md.append(String.format(Locale.ROOT, "%n## Wall time%n%n%.1f minutes on this machine, summed over the %d run(s) of `./fsgen study` that made"
        + " and read these measurements (a resumed run repeats nothing already measured; a rerun that only regenerates this page adds its"
        + " seconds). Model time summed over all measurements: %.1f minutes.%n", setup.wall().seconds() / 60, setup.wall().runs(),
        (units.stream().mapToDouble(UnitResult::seconds).sum() + results.sweep().stream().mapToDouble(SweepResult::seconds).sum()) / 60));
    Files.writeString(dir.resolve("README.md"), md.toString());
  }

  private static void setup(StringBuilder md, Setup s, List<UnitResult> units) {
    md.append("## Setup\n\n| model | parameters |\n|---|---:|\n");
    for (FamilyModels.Member m : s.models()) md.append(String.format(Locale.ROOT, "| %s | %.2f M |%n", m.name(), m.parameters() / 1e6));
    PromptSet.Sizes z = s.sizes();
    md.append(String.format(Locale.ROOT, """

        %d pairs (every small model S with every larger model L), greedy decoding throughout, prompts from the test splits no model trained on:

        - **prose**: %d Brown passages, the first %d tokens each, continued for %d tokens;
        - **bible**: %d King James chapters, the same lengths;
        - **arithmetic**: %d two-digit problems after %d solved ones; only the answer's tokens are generated and measured.%s

        Methods: **oracle** (L generates, S is scored on L's prefix), **contrastive** decoding (FS-GEN form, logits_S + 0.5·(logits_L − logits_S),
        plausibility α = 0.1), **proxy** tuning (L + (S_kjv − S), where S has a Bible-tuned variant) and greedy **speculative** decoding (γ = 4).
        Collaboration frequency (CF) is one definition throughout: the share of generated tokens whose final choice differs from S's greedy
        choice on the same prefix. Speculative decoding does not score its bonus tokens, so its CF is System 2's rejections per drafted token.

        """, s.pairs(), z.textPrompts(), z.promptTokens(), z.textTokens(), z.textPrompts(), z.problems(), PromptSet.SHOTS,
        domains(units).contains(StudyDomain.WORD_PROBLEMS) ? String.format(Locale.ROOT, "%n- **word-problems**: %d multi-step word problems"
            + " after %d solved ones; the worked solution is generated up to its answer line and scored on the final answer only.",
            z.problems(), PromptSet.WORD_SHOTS) : ""));
  }

  private static void collaboration(StringBuilder md, List<UnitResult> units) {
    md.append("## 1. Collaboration frequency per method\n\n");
    for (StudyDomain d : domains(units)) {
      md.append("**").append(d.id).append("** (").append(d.description).append(")\n\n");
      md.append("| pair | R | oracle | contrastive | proxy | speculative: rejections / draft | rejections / round |\n|---|---:|---:|---:|---:|---:|---:|\n");
      for (String pair : pairs(units)) {
        UnitResult any = find(units, pair, d, Method.ORACLE);
        if (any == null) continue;
        UnitResult spec = find(units, pair, d, Method.SPECULATIVE);
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %s | %s | %s |%n", pair, any.ratio(),
            pct(cf(units, pair, d, Method.ORACLE)), pct(cf(units, pair, d, Method.CONTRASTIVE)), pct(cf(units, pair, d, Method.PROXY)),
            pct(spec == null ? Double.NaN : spec.rejectionsPerDraft()), spec == null ? "—" : String.format(Locale.ROOT, "%.2f", spec.rejectionsPerRound())));
      }
      md.append('\n');
    }
  }

  private static void scaling(StringBuilder md, List<Analysis.FitRow> fits, List<StudyDomain> domains) {
    md.append("## 2. Scaling law: CF(R) = b − a·R^(−α)\n\n");
    md.append("Least squares over the pairs (R = N_L / N_S). LOO: mean absolute error of each pair's CF predicted by the fit on the other pairs."
        + " Residual vs size: correlation of the residuals with log N_S (near 0: the ratio alone explains CF).\n\n");
    md.append("| method | domain | pairs | a | α | b | R² | LOO error | residual vs size |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Analysis.FitRow r : fits) {
      ScalingFit.Fit f = r.fit();
      if (f == null) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | — | — | — | — | — | — |%n", r.method(), r.domain(), r.points().size()));
      } else {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.2f | %.3f | %.2f | %s | %s |%n", r.method(), r.domain(), f.points(),
            f.a(), f.alpha(), f.b(), f.rSquared(), pct(f.looError()), num(f.residualVsSmallSize())));
      }
    }
    md.append("\nA fit needs at least 3 pairs; LOO needs 4.\n\n");
    for (StudyDomain d : domains) md.append("![CF against R, ").append(d.id).append("](cf-vs-ratio-").append(d.id).append(".png)\n");
    md.append('\n');
  }

  private static void positions(StringBuilder md, List<Analysis.Positions> positions) {
    md.append("## 3. Where interventions fall\n\nShare of the tokens in each tenth of the output where the final choice differs from S's (all pairs pooled).\n\n");
    md.append("| method | domain |");
    for (int b = 0; b < Analysis.BINS; b++) md.append(' ').append(Charts.bin(b)).append(" |");
    md.append("\n|---|---|").append("---:|".repeat(Analysis.BINS)).append('\n');
    for (Analysis.Positions p : positions) {
      md.append("| ").append(p.method()).append(" | ").append(p.domain()).append(" |");
      for (int b = 0; b < Analysis.BINS; b++) md.append(' ').append(pct(p.rate(b))).append(" |");
      md.append('\n');
    }
    md.append("\n![interventions by position](positions-oracle.png)\n\n");
  }

  private static void uncertainty(StringBuilder md, List<Analysis.UncertaintyRow> rows) {
    md.append("## 4. Uncertainty: is System 1 unsure where System 2 intervenes?\n\n");
    md.append("Oracle tokens of all pairs: System 1's uncertainty where System 2 agreed (matched) and where it chose differently (intervened)."
        + " AUROC: how well the measure alone ranks intervened tokens above matched ones (higher entropy, lower top-1 probability, lower margin).\n\n");
    md.append("| domain | measure | matched (mean) | intervened (mean) | AUROC | matched tokens | intervened tokens |\n|---|---|---:|---:|---:|---:|---:|\n");
    for (Analysis.UncertaintyRow r : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %s | %d | %d |%n", r.domain(), r.measure(), r.matchedMean(),
          r.intervenedMean(), num(r.auroc()), r.matched(), r.intervened()));
    }
    md.append("\n![AUROC of the uncertainty measures](uncertainty-auroc.png)\n\n");
  }

  private static void tradeoff(StringBuilder md, List<UnitResult> units, List<SweepResult> sweep, Set<String> sweptPairs) {
    md.append("## 5. Cost and quality\n\n");
    for (StudyDomain d : domains(units)) if (d.exactMatch) exactMatch(md, units, d);
    md.append("L alone is the oracle's output (L greedy); speculative decoding reproduces it exactly.\n\n");
    for (String pair : sweptPairs) {
      String key = pair.replace("→", "_");
      md.append("**Router sweep, ").append(pair).append("**: gated handoff at each threshold (budget 100%).\n\n");
      md.append("| router | threshold | System 2 tokens | exact match | identical to L alone |\n|---|---:|---:|---:|---:|\n");
      for (SweepResult s : sweep) {
        if (!s.pair().equals(pair)) continue;
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", RouterSweep.valueOf(s.router()).label, trim(s.threshold()),
            pct(s.system2Share()), pct(s.accuracy()), pct(s.agreement())));
      }
      md.append("\n![accuracy against System 2 share](tradeoff-accuracy-").append(key).append(".png)\n");
      md.append("![agreement against System 2 share](tradeoff-agreement-").append(key).append(".png)\n\n");
      SweepResult best = cheapestWithin(sweep, pair, 0.9 * accuracy(units, pair, Method.ORACLE));
      if (best != null) {
        md.append(String.format(Locale.ROOT, "Cheapest setting within 90%% of L's accuracy: %s at %s, System 2 producing %s of the tokens, exact match %s.%n%n",
            RouterSweep.valueOf(best.router()).label, trim(best.threshold()), pct(best.system2Share()), pct(best.accuracy())));
      }
    }
  }

  private static void paper(StringBuilder md, List<UnitResult> units, List<Analysis.FitRow> fits, List<Analysis.UncertaintyRow> unc,
      List<Analysis.Positions> positions) {
    md.append("## 6. Side by side with FS-GEN\n\n");
    md.append(String.format(Locale.ROOT, PAPER, range(units, Method.ORACLE), range(units, Method.CONTRASTIVE), range(units, Method.PROXY), r2Range(fits)));
    md.append("\nWhat agrees and what does not, read off the figures above:\n\n");
    for (Method m : List.of(Method.ORACLE, Method.CONTRASTIVE, Method.PROXY)) {
      for (Analysis.FitRow r : fits) {
        if (!r.method().equals(m.id) || r.fit() == null) continue;
        md.append("- ").append(fitReading(m.id, r)).append('\n');
      }
    }
    for (Analysis.UncertaintyRow r : unc) {
      if (!r.measure().equals("top-1 probability")) continue;
      md.append(String.format(Locale.ROOT, "- %s: System 1's top-1 probability is %.2f on average where System 2 intervenes and %.2f where it agrees"
          + " (AUROC %s): %s.%n", r.domain(), r.intervenedMean(), r.matchedMean(), num(r.auroc()),
          r.auroc() > 0.6 ? "interventions fall where System 1 is uncertain, as FS-GEN found" : "uncertainty separates them only weakly here"));
    }
    for (Analysis.Positions p : positions) {
      if (!p.method().equals(Method.ORACLE.id) || p.domain().equals(StudyDomain.ARITHMETIC.id)) continue;
      double first = p.rate(0);
      double rest = 0;
      int n = 0;
      for (int b = 1; b < Analysis.BINS; b++) if (!Double.isNaN(p.rate(b))) {
        rest += p.rate(b);
        n++;
      }
      rest /= Math.max(1, n);
      md.append(String.format(Locale.ROOT, "- %s: the oracle's intervention rate is %s in the first tenth of the output and %s on average after it%s.%n",
          p.domain(), pct(first), pct(rest), first > 1.2 * rest ? " (interventions concentrate early, as FS-GEN reports)" : ""));
    }
    md.append("""
        - Scale: FS-GEN's models are 0.5B–72B parameters and its tasks are benchmarks (GSM8K, MMLU-STEM, MBPP); fsgen's are 0.16–11 M
          parameters trained here on prose, the Bible and arithmetic. Absolute frequencies are not comparable; the shape of the findings
          (CF rising with the ratio, interventions where System 1 is uncertain) is what this study checks.
        """);
  }

  /** One exact-match domain's accuracy per method and pair. */
  private static void exactMatch(StringBuilder md, List<UnitResult> units, StudyDomain d) {
    md.append("**").append(d.id).append(" exact match** (").append(d.description)
        .append("; System 2's token share in brackets where it is not 0 or 100%):\n\n");
    List<Method> methods = List.of(Method.SYSTEM1_ONLY, Method.ORACLE, Method.CONTRASTIVE, Method.PROXY, Method.SPECULATIVE, Method.GATED_TOP1, Method.GATED_MARGIN);
    md.append("| pair | S alone | L alone | contrastive | proxy | speculative | gated top-1 < 0.5 | gated margin < 0.2 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String pair : pairs(units)) {
      md.append("| ").append(pair).append(" |");
      for (Method m : methods) {
        UnitResult u = find(units, pair, d, m);
        if (u == null) {
          md.append(" — |");
          continue;
        }
        boolean gated = m == Method.GATED_TOP1 || m == Method.GATED_MARGIN;
        md.append(' ').append(pct(u.accuracy())).append(gated ? String.format(Locale.ROOT, " (%.0f%%)", 100 * u.system2Share()) : "").append(" |");
      }
      md.append('\n');
    }
    md.append('\n');
  }

  /** The study domains measured, in their order (the word problems only where the data had them). */
  private static List<StudyDomain> domains(List<UnitResult> units) {
    return Arrays.stream(StudyDomain.values()).filter(d -> units.stream().anyMatch(u -> u.domain().equals(d.id))).toList();
  }

  /** What one fit supports, in words: the direction, how much of CF the ratio explains, and whether S's own size matters. */
  static String fitReading(String method, Analysis.FitRow row) {
    ScalingFit.Fit f = row.fit();
    double meanCf = row.points().stream().mapToDouble(ScalingFit.Point::cf).average().orElse(Double.NaN);
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s, %s: CF %s with the ratio (a = %.3f, R² = %.2f", method, row.domain(),
        f.a() > 0 ? "rises" : "does not rise", f.a(), f.rSquared()));
    b.append(f.rSquared() >= 0.6 ? "; the power law fits" : "; the ratio explains little of CF").append(')');
    if (f.alpha() <= ScalingFit.MIN_ALPHA * 1.0001) {
      b.append(String.format(Locale.ROOT, "; α sits at the search's lower bound (%.2f), where b − a·R^(−α) is in effect a straight line in log R,"
          + " so the fit finds no saturation", ScalingFit.MIN_ALPHA));
    }
    if (!Double.isNaN(f.residualVsSmallSize()) && Math.abs(f.residualVsSmallSize()) >= 0.5) {
      b.append(String.format(Locale.ROOT, "; its residuals correlate with log N_S (%.2f): at the same ratio, %s S collaborates less,"
          + " so the size of S matters beside the ratio", f.residualVsSmallSize(), f.residualVsSmallSize() < 0 ? "a larger" : "a smaller"));
    }
    if (!Double.isNaN(f.looError()) && f.looError() > 0.25 * meanCf) {
      b.append(String.format(Locale.ROOT, "; its leave-one-out error (%s) is large against the mean CF (%s), so it does not predict unseen pairs",
          pct(f.looError()), pct(meanCf)));
    }
    return b.append('.').toString();
  }

  private static List<String> pairs(List<UnitResult> units) {
    return units.stream().map(UnitResult::pair).distinct().toList();
  }

  private static UnitResult find(List<UnitResult> units, String pair, StudyDomain d, Method m) {
    for (UnitResult u : units) if (u.pair().equals(pair) && u.domain().equals(d.id) && u.method().equals(m.id)) return u;
    return null;
  }

  private static double cf(List<UnitResult> units, String pair, StudyDomain d, Method m) {
    UnitResult u = find(units, pair, d, m);
    return u == null ? Double.NaN : u.collaborationFrequency();
  }

  private static double accuracy(List<UnitResult> units, String pair, Method m) {
    UnitResult u = find(units, pair, StudyDomain.ARITHMETIC, m);
    return u == null ? Double.NaN : u.accuracy();
  }

  /** Share of arithmetic answers identical to L alone's (the oracle's). */
  private static double agreement(List<UnitResult> units, String pair, Method m) {
    UnitResult u = find(units, pair, StudyDomain.ARITHMETIC, m);
    UnitResult l = find(units, pair, StudyDomain.ARITHMETIC, Method.ORACLE);
    if (u == null || l == null) return Double.NaN;
    int same = 0;
    for (int i = 0; i < u.outputs().size(); i++) if (u.outputs().get(i).equals(l.outputs().get(i))) same++;
    return (double) same / u.outputs().size();
  }

  private static SweepResult cheapestWithin(List<SweepResult> sweep, String pair, double accuracy) {
    SweepResult best = null;
    for (SweepResult s : sweep) {
      if (s.pair().equals(pair) && s.accuracy() >= accuracy && (best == null || s.system2Share() < best.system2Share())) best = s;
    }
    return best;
  }

  private static String range(List<UnitResult> units, Method m) {
    List<String> parts = new ArrayList<>();
    for (StudyDomain d : domains(units)) {
      DoubleSummaryStatistics st = units.stream().filter(u -> u.method().equals(m.id) && u.domain().equals(d.id))
          .mapToDouble(UnitResult::collaborationFrequency).filter(v -> !Double.isNaN(v)).summaryStatistics();
      if (st.getCount() > 0) parts.add(String.format(Locale.ROOT, "%s %.1f–%.1f%%", d.id, 100 * st.getMin(), 100 * st.getMax()));
    }
    return parts.isEmpty() ? "not measured" : String.join(", ", parts);
  }

  private static String r2Range(List<Analysis.FitRow> fits) {
    List<String> parts = new ArrayList<>();
    for (Method m : List.of(Method.ORACLE, Method.CONTRASTIVE, Method.PROXY, Method.SPECULATIVE)) {
      DoubleSummaryStatistics st = fits.stream().filter(r -> r.method().equals(m.id) && r.fit() != null)
          .mapToDouble(r -> r.fit().rSquared()).filter(v -> !Double.isNaN(v)).summaryStatistics();
      if (st.getCount() > 0) parts.add(String.format(Locale.ROOT, "%s %.2f–%.2f", m.id, st.getMin(), st.getMax()));
    }
    return parts.isEmpty() ? "too few pairs to fit" : String.join(", ", parts);
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
