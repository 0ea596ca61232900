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
import java.util.LongSummaryStatistics;
import java.util.Set;

/**
 * Writes the study's report: {@code README.md} with the tables, the PNG plots beside it, and the
 * raw data as CSV. Everything in it is computed from the measurements; nothing is written by hand.
 */
public final class Report {
  /**
   * FS-GEN's published figures (arXiv 2406.12295, Qwen1.5 pairs from 0.5B to 72B) beside fsgen's:
   * GSM8K's beside the GSM8K-like word problems (like for like), the other tasks beside the other
   * domains, each in a column of their own.
   */
  private static final String PAPER = """
      | measure | FS-GEN (Qwen1.5, 0.5B–72B), GSM8K | fsgen, word problems (GSM8K-like) | FS-GEN, other tasks | fsgen, other domains |
      |---|---|---|---|---|
      | oracle collaboration frequency, range over pairs | 6.6–15.2%% | %s | MMLU-STEM 9.5–21.9%%, MBPP 8.3–15.9%% | %s |
      | contrastive decoding CF | 3.7–8.4%% | %s | — | %s |
      | proxy tuning CF | 11.4–18.6%% | %s | — | %s |
      | scaling-law R², b − a·R^(−α) with a, α, b ≥ 0.05 (refit of their published data) | oracle and contrastive 0.67–0.93, proxy 0.38–0.60 (all tasks) | %s | | %s |
      """;

  /**
   * Where the run's settings are described.
   *
   * @param arithDigits digits of the largest arithmetic operand in the data
   */
  public record Setup(List<FamilyModels.Member> models, PromptSet.Sizes sizes, int pairs, boolean quick, WallTime wall, int arithDigits) {}

  /**
   * Wall time of every run on one set of measurements, kept beside them ({@code wall.json}): a study
   * interrupted and resumed, or rerun to regenerate its page, reports the sum of its runs.
   */
  public record WallTime(double seconds, int runs) {
    private static WallTime read(Path workDir) throws IOException {
      Path file = workDir.resolve("wall.json");
      if (!Files.isRegularFile(file)) return new WallTime(0, 0);
      com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      return new WallTime(o.get("seconds").getAsDouble(), o.get("runs").getAsInt());
    }

    private static WallTime write(Path workDir, WallTime now) throws IOException {
      Files.createDirectories(workDir);
      Files.writeString(workDir.resolve("wall.json"), String.format(Locale.ROOT, "{\"seconds\": %.3f, \"runs\": %d}%n", now.seconds, now.runs));
      return now;
    }
  }

  /**
   * The run now going. Each {@link #lap} rewrites {@code wall.json} as the runs before this one plus
   * this run's time so far, so that a run stopped midway (killed, or its machine gone) still counts
   * up to its last saved measurement, and the run that resumes it adds its own.
   */
  public record Clock(Path workDir, WallTime before, long startNanos) {
    /** A run that began at {@code startNanos} ({@link System#nanoTime}). */
    public static Clock start(Path workDir, long startNanos) throws IOException {
      return new Clock(workDir, WallTime.read(workDir), startNanos);
    }

    /** Counts this run with the time since it began. */
    public WallTime lap() throws IOException {
      return at((System.nanoTime() - startNanos) / 1e9);
    }

    /** Counts this run as having taken {@code seconds} so far. */
    public WallTime at(double seconds) throws IOException {
      return WallTime.write(workDir, new WallTime(before.seconds + seconds, before.runs + 1));
    }
  }

  private Report() {}

  public static void write(Path dir, Setup setup, StudyRunner.Results results) throws IOException {
    Files.createDirectories(dir);
    List<UnitResult> units = results.units();
    List<Analysis.FitRow> fits = Analysis.fits(units);
    List<Analysis.Positions> positions = Analysis.positions(units);
    List<Analysis.UncertaintyRow> uncertainty = Analysis.uncertainty(units);
    List<TokenType.Row> types = TokenType.breakdown(units);
    List<SweepResult> test = results.sweep().stream().filter(x -> !x.onValidation()).toList();
    List<SweepResult> validation = results.sweep().stream().filter(SweepResult::onValidation).toList();

    for (StudyDomain d : domains(units)) Charts.cfVsRatio(dir.resolve("cf-vs-ratio-" + d.id + ".png"), d, fits);
    Charts.positions(dir.resolve("positions-oracle.png"), Method.ORACLE.id, positions);
    Charts.uncertainty(dir.resolve("uncertainty-auroc.png"), uncertainty);
    for (StudyDomain task : sweptTasks(test)) {
      List<SweepResult> onTask = test.stream().filter(x -> x.task().equals(task.id)).toList();
      for (String pair : sweptPairs(onTask)) {
        Charts.tradeoff(dir.resolve(plot("accuracy", task, pair)), task, pair, onTask, false,
            accuracy(units, task, pair, Method.SYSTEM1_ONLY), accuracy(units, task, pair, Method.ORACLE));
        Charts.tradeoff(dir.resolve(plot("agreement", task, pair)), task, pair, onTask, true,
            agreement(units, task, pair, Method.SYSTEM1_ONLY), new Bootstrap.Interval(1, 1, 1, 0));
      }
    }
    CsvExport.write(dir, results, fits, positions, uncertainty, types);

    StringBuilder md = new StringBuilder();
    md.append("# The FS-GEN study on fsgen's model family\n\n");
    md.append("Written by `./fsgen study").append(setup.quick() ? " --quick" : "").append("`: every figure, table and plot below comes from that command")
        .append(" (rerun it to regenerate this page). Raw data: the CSV files beside this page.\n\n");
    setup(md, setup, units);
    collaboration(md, units);
    scaling(md, fits, domains(units));
    positions(md, positions);
    uncertainty(md, uncertainty, types);
    tradeoff(md, units, test, validation);
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

        %d %s (every small model S with every larger model L), greedy decoding throughout, prompts from the test splits no model trained on:

        - **prose**: %d Brown passages, the first %d tokens each, continued for %d tokens;
        - **bible**: %d King James passages (several from a long chapter, one after another), the same lengths;
        - **arithmetic**: %d problems with operands of up to %d digits, after %d solved ones; only the answer's tokens are generated and measured.%s

        Methods: **oracle** (L generates, S is scored on L's prefix), **contrastive** decoding (FS-GEN form, logits_S + 0.5·(logits_L − logits_S),
        plausibility α = 0.1), **proxy** tuning (L + (S_kjv − S), where S has a Bible-tuned variant) and greedy **speculative** decoding (γ = %d).

        Definitions, each as the code named beside it computes it:

        - **Collaboration frequency (CF)** (`UnitResult.collaborationFrequency`): the share of generated tokens whose final choice differs
          from S's greedy choice on the same prefix, FS-GEN's `mismatch_tokens_num / total_tokens_num`.
        - **Proxy tuning** (`Analysis.proxyBaseCf`): FS-GEN's code (`__proxy_finetune`) compares the combined choice with the *base* small
          model's greedy choice; that is the proxy CF of the tables and the fits. The CF against the tuned small model (System 1 of the
          strategy) stands beside it.
        - **Speculative decoding**: fsgen scores every token with S, bonus tokens included, and greedy speculative decoding emits exactly
          L's greedy output, so its CF equals the oracle's on every pair (the tables show it; the fits leave it out). Its own figure is
          System 2's rejections per drafted token (`UnitResult.rejectionsPerDraft`), at most 1/γ = %.0f%% (one rejection per round of γ drafts):
          near that cap it measures the draft length more than the models.
        - **Intervals** (`Intervals`, `Bootstrap`): 95%% percentile intervals from %d bootstrap resamples of the prompts (problems), each
          prompt resampled whole with all its tokens and, where pairs are pooled, for all pairs at once (every pair runs on the same
          prompts). A verdict below is stated only where its interval excludes the alternative; elsewhere the report says the data cannot tell.

        """, s.pairs(), s.pairs() == 1 ? "pair" : "pairs", z.textPrompts(), z.promptTokens(), z.textTokens(), z.textPrompts(), z.problems(), s.arithDigits(), PromptSet.SHOTS,
        domains(units).contains(StudyDomain.WORD_PROBLEMS) ? String.format(Locale.ROOT, "%n- **word-problems**: %d multi-step word problems"
            + " after %d solved ones; the worked solution is generated up to its answer line and scored on the final answer only.",
            z.problems(), PromptSet.WORD_SHOTS) : "", GAMMA, 100.0 / GAMMA, Bootstrap.DEFAULT_RESAMPLES));
  }

  /** Speculative decoding's draft length in the study. */
  private static final int GAMMA = ((dev.fsgen.decoding.Speculative) Method.SPECULATIVE.strategy).gamma();

  private static void collaboration(StringBuilder md, List<UnitResult> units) {
    md.append("## 1. Collaboration frequency per method\n\n");
    for (StudyDomain d : domains(units)) {
      md.append("**").append(d.id).append("** (").append(d.description).append(")\n\n");
      md.append("| pair | R | oracle | contrastive | proxy vs base S (FS-GEN) | proxy vs tuned S | speculative | speculative: rejections / drafted token |\n"
          + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (String pair : pairs(units)) {
        UnitResult any = find(units, pair, d, Method.ORACLE);
        if (any == null) continue;
        UnitResult proxy = find(units, pair, d, Method.PROXY);
        UnitResult spec = find(units, pair, d, Method.SPECULATIVE);
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %s | %s | %s | %s |%n", pair, any.ratio(),
            cfCi(find(units, pair, d, Method.ORACLE)), cfCi(find(units, pair, d, Method.CONTRASTIVE)),
            proxy == null ? "—" : ci(Intervals.proxyBaseCf(proxy), true), cfCi(proxy), cfCi(spec),
            pct(spec == null ? Double.NaN : spec.rejectionsPerDraft())));
      }
      md.append('\n');
    }
  }

  private static void scaling(StringBuilder md, List<Analysis.FitRow> fits, List<StudyDomain> domains) {
    md.append("## 2. Scaling law\n\n");
    md.append("Each model fitted by least squares over the pairs (`ScalingFit`; R = N_L / N_S). dof: residual degrees of freedom (pairs minus"
        + " coefficients); with 1 or fewer, R² is near 1 whatever the law and says nothing, so such fits stay out of the comparison with FS-GEN."
        + " AIC = n·ln(SSE/n) + 2k (lower is better; compare within one method and domain). LOO: mean absolute error of each pair's CF"
        + " predicted by the model fitted on the other pairs. The power law is fitted twice: with α ∈ [0.01, 4] and a, b free, and with the"
        + " bounds of FS-GEN's released fit (scipy `curve_fit`, `bounds=(0.05, inf)` on a, α and b; we take the global least-squares"
        + " minimum under those bounds). Proxy tuning is fitted to its CF against the base small model; speculative decoding not at all"
        + " (its CF is the oracle's).\n\n");
    md.append("| method | domain | pairs | model | coefficients | dof | R² | AIC | LOO error |\n|---|---|---:|---|---|---:|---:|---:|---:|\n");
    for (Analysis.FitRow r : fits) {
      ScalingFit.Fit f = r.fit();
      if (f == null) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | too few pairs to fit | | | | | |%n", r.method(), r.domain(), r.points().size()));
        continue;
      }
      for (ScalingFit.Model m : new ScalingFit.Model[] {f.free(), f.paper(), f.logRatio(), f.logSizes()}) {
        if (m == null) {
          md.append(String.format(Locale.ROOT, "| %s | %s | %d | c + u·ln N_S + v·ln N_L | not determined (one size of S or of L) | | | | |%n",
              r.method(), r.domain(), f.points()));
          continue;
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %d%s | %s | %s | %s |%n", r.method(), r.domain(), f.points(),
            m.form().formula, coefficients(m), m.residualDof(), m.residualDof() <= 1 ? " (too few)" : "", num(m.rSquared()),
            Double.isFinite(m.aic()) ? String.format(Locale.ROOT, "%.1f", m.aic()) : "—", pct(m.looError())));
      }
    }
    md.append("\nLog-linear slope s (CF per e-fold of R) with its interval (prompts resampled for every pair at once):\n\n");
    md.append("| method | domain | slope | 95% interval |\n|---|---|---:|---|\n");
    for (Analysis.FitRow r : fits) {
      if (r.fit() == null) continue;
      Bootstrap.Interval s = r.slope();
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %s |%n", r.method(), r.domain(), r.fit().logRatio().coefficients()[1],
          s == null ? "the data cannot tell" : String.format(Locale.ROOT, "%.3f to %.3f", s.low(), s.high())));
    }
    md.append('\n');
    for (StudyDomain d : domains) md.append("![CF against R, ").append(d.id).append("](cf-vs-ratio-").append(d.id).append(".png)\n");
    md.append('\n');
  }

  private static String coefficients(ScalingFit.Model m) {
    double[] c = m.coefficients();
    return switch (m.form()) {
      case POWER_FREE, POWER_PAPER -> String.format(Locale.ROOT, "a = %.3f, α = %.2f, b = %.3f", c[0], c[1], c[2]);
      case LOG_RATIO -> String.format(Locale.ROOT, "c = %.3f, s = %.3f", c[0], c[1]);
      case LOG_SIZES -> String.format(Locale.ROOT, "c = %.3f, u = %.3f, v = %.3f", c[0], c[1], c[2]);
    };
  }

  private static void positions(StringBuilder md, List<Analysis.Positions> positions) {
    md.append("## 3. Where interventions fall\n\n");
    md.append("Output positions in FS-GEN's tenths (`Analysis.bin`: index / length, right-closed tenths, the first including 0), all pairs pooled."
        + " **Rate**: the share of the tokens in each tenth whose final choice differs from S's (intervals in `positions.csv` and as error bars"
        + " on the plot).\n\n");
    positionTable(md, positions, p -> p::rate, false);
    md.append("\n**Share of each output's interventions per tenth**, averaged over the outputs with at least one (FS-GEN's figure as the"
        + " review defines it; intervals, prompts resampled with all their outputs, in `positions.csv`). FS-GEN's released heatmap (`visualize/mismatch_position_heatmap.py`) pools each pair's outputs before taking"
        + " shares; that figure, averaged over pairs, is `share_by_pair` in `positions.csv`.\n\n");
    positionTable(md, positions, p -> b -> p.shareByOutput()[b], true);
    md.append("\nShares lean early by construction: FS-GEN places position i of an n-token output at i/n in right-closed tenths, so the"
        + " first tenth [0, 0.1] holds one position more than the others and the last (0.9, 1] one fewer whenever n is a multiple of 10"
        + " (for 48 tokens, 5 positions against 4 or 5). The rates above divide by the tokens in each tenth and carry no such lean;"
        + " the verdict in section 6 rests on them.\n");
    md.append("\n![interventions by position](positions-oracle.png)\n\n");
  }

  private static void positionTable(StringBuilder md, List<Analysis.Positions> positions,
      java.util.function.Function<Analysis.Positions, java.util.function.IntToDoubleFunction> value, boolean oracleOnly) {
    md.append("| method | domain |");
    for (int b = 0; b < Analysis.BINS; b++) md.append(' ').append(Charts.bin(b)).append(" |");
    md.append("\n|---|---|").append("---:|".repeat(Analysis.BINS)).append('\n');
    for (Analysis.Positions p : positions) {
      if (oracleOnly && !p.method().equals(Method.ORACLE.id)) continue;
      md.append("| ").append(p.method()).append(" | ").append(p.domain()).append(" |");
      for (int b = 0; b < Analysis.BINS; b++) md.append(' ').append(pct(value.apply(p).applyAsDouble(b))).append(" |");
      md.append('\n');
    }
  }

  private static void uncertainty(StringBuilder md, List<Analysis.UncertaintyRow> rows, List<TokenType.Row> types) {
    md.append("## 4. Uncertainty: is System 1 unsure where System 2 intervenes?\n\n");
    md.append("Oracle tokens: System 1's uncertainty where System 2 agreed (matched) and where it chose differently (intervened)."
        + " AUROC: how well the measure alone ranks intervened tokens above matched ones (higher entropy, lower top-1 probability, lower margin),"
        + " with its interval.\n\n");
    md.append("| domain | measure | matched (mean) | intervened (mean) | AUROC | matched tokens | intervened tokens |\n|---|---|---:|---:|---|---:|---:|\n");
    for (Analysis.UncertaintyRow r : rows) {
      if (!r.pair().equals(Analysis.POOLED)) continue;
      md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %s | %d | %d |%n", r.domain(), r.measure(), r.matchedMean(),
          r.intervenedMean(), ci(r.interval(), false), r.matched(), r.intervened()));
    }
    md.append("\n**AUROC per pair**\n\n| domain | pair | entropy | top-1 probability | top-1/top-2 margin |\n|---|---|---|---|---|\n");
    String current = null;
    for (Analysis.UncertaintyRow r : rows) {
      if (r.pair().equals(Analysis.POOLED)) continue;
      String key = r.domain() + " | " + r.pair();
      if (!key.equals(current)) {
        if (current != null) md.append('\n');
        md.append("| ").append(key).append(" |");
        current = key;
      }
      md.append(' ').append(ci(r.interval(), false)).append(" |");
    }
    if (current != null) md.append('\n');
    md.append("\n![AUROC of the uncertainty measures](uncertainty-auroc.png)\n\n");
    md.append("**Where System 2 intervenes, by token type** (`TokenType`; oracle tokens, all pairs pooled): the rate is the share of the"
        + " type's tokens where System 2 chose differently, the share its part of all interventions.\n\n");
    md.append("| domain | type | tokens | interventions | rate | share of interventions |\n|---|---|---:|---:|---|---:|\n");
    for (TokenType.Row t : types) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s |%n", t.domain(), t.type().label, t.tokens(), t.interventions(),
          ci(t.rate(), true), pct(t.share())));
    }
    if (types.isEmpty()) md.append("| — | measurements without token text | | | | |\n");
    md.append('\n');
  }

  private static void tradeoff(StringBuilder md, List<UnitResult> units, List<SweepResult> test, List<SweepResult> validation) {
    md.append("## 5. Cost and quality\n\n");
    for (StudyDomain d : domains(units)) if (d.exactMatch) exactMatch(md, units, d);
    md.append("L alone is the oracle's output (L greedy); speculative decoding reproduces it exactly.\n\n");
    md.append("**Router sweep.** Gated handoff at each threshold (budget 100%), on each task's validation problems and on its test problems:"
        + " arithmetic on every pair with the largest model and every problem, the word problems (whose runs part early and share few"
        + " scores, so each costs many times a short answer's) on the one such pair whose small model is nearest the family's geometric"
        + " middle and on the first " + StudyRunner.WORD_SWEEP_PROBLEMS + " problems of each split."
        + " The learned router is trained on the oracle's tokens of the task's validation problems (`RouterSweep.fitLearned`). Each router's"
        + " threshold is chosen on validation alone: the cheapest (fewest System 2 tokens) whose final answers are the same as System 2 alone's on"
        + " at least 90% of the validation problems; its test figures are what the router is worth. Every router and threshold runs on a"
        + " problem before the next problem, and each prefix's scores are computed once for all of them (`PrefixMemo`; the sweep's outputs"
        + " equal fresh runs', `PrefixMemoTest`), so a setting's seconds are the time its runs took beside the others, not alone.\n\n");
    for (StudyDomain task : sweptTasks(test)) {
      List<SweepResult> onTest = test.stream().filter(x -> x.task().equals(task.id)).toList();
      List<SweepResult> onValidation = validation.stream().filter(x -> x.task().equals(task.id)).toList();
      for (String pair : sweptPairs(onTest)) sweepTables(md, task, pair, onTest, onValidation);
    }
  }

  /** One pair's sweep on one task: the thresholds chosen on validation with their test figures, then every threshold. */
  private static void sweepTables(StringBuilder md, StudyDomain task, String pair, List<SweepResult> test, List<SweepResult> validation) {
    int validationProblems = validation.stream().filter(x -> x.pair().equals(pair)).mapToInt(SweepResult::problems).findFirst().orElse(0);
    int testProblems = test.stream().filter(x -> x.pair().equals(pair)).mapToInt(SweepResult::problems).findFirst().orElse(0);
    md.append("**").append(task.id).append(", ").append(pair).append("**, thresholds chosen on validation, reported on test (")
        .append(validationProblems).append(" validation and ").append(testProblems).append(" test problems):\n\n");
    md.append("| router | threshold | validation: System 2 tokens | validation: same answer as L | test: System 2 tokens | test: exact match | test: same answer as L |\n"
        + "|---|---:|---:|---:|---:|---|---|\n");
    for (RouterSweep r : RouterSweep.values()) {
      SweepResult chosen = chooseOnValidation(validation, pair, r);
      SweepResult onTest = chosen == null ? null : at(test, pair, r, chosen.threshold());
      if (chosen == null || onTest == null) {
        md.append("| ").append(r.label).append(" | no threshold reaches 90% on validation, or no validation sweep | | | | | |\n");
        continue;
      }
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.label, trim(chosen.threshold()), pct(chosen.system2Share()),
          pct(chosen.agreement()), pct(onTest.system2Share()), sweepCi(onTest.correctByProblem(), onTest.accuracy()),
          sweepCi(onTest.agreeingByProblem(), onTest.agreement())));
    }
    md.append("\nEvery threshold:\n\n| router | threshold | validation: System 2 tokens | validation: exact match | test: System 2 tokens | test: exact match | test: same answer as L |\n"
        + "|---|---:|---:|---:|---:|---|---|\n");
    for (SweepResult s : test) {
      if (!s.pair().equals(pair)) continue;
      SweepResult v = at(validation, pair, RouterSweep.valueOf(s.router()), s.threshold());
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", RouterSweep.valueOf(s.router()).label, trim(s.threshold()),
          v == null ? "—" : pct(v.system2Share()), v == null ? "—" : pct(v.accuracy()), pct(s.system2Share()),
          sweepCi(s.correctByProblem(), s.accuracy()), sweepCi(s.agreeingByProblem(), s.agreement())));
    }
    md.append("\n![accuracy against System 2 share](").append(plot("accuracy", task, pair)).append(")\n");
    md.append("![agreement against System 2 share](").append(plot("agreement", task, pair)).append(")\n\n");
  }

  /** The tasks swept, in the study's order. */
  private static List<StudyDomain> sweptTasks(List<SweepResult> sweep) {
    return Arrays.stream(StudyDomain.values()).filter(d -> sweep.stream().anyMatch(s -> s.task().equals(d.id))).toList();
  }

  private static List<String> sweptPairs(List<SweepResult> sweep) {
    Set<String> pairs = new LinkedHashSet<>();
    for (SweepResult s : sweep) pairs.add(s.pair());
    return List.copyOf(pairs);
  }

  /** A trade-off plot's file: arithmetic's keep the names they had when it was the only task swept. */
  private static String plot(String what, StudyDomain task, String pair) {
    return "tradeoff-" + what + "-" + (task == StudyDomain.ARITHMETIC ? "" : task.id + "-") + pair.replace("→", "_") + ".png";
  }

  /** The cheapest threshold of one router whose validation answers match System 2 alone's on at least 90% of problems. */
  static SweepResult chooseOnValidation(List<SweepResult> validation, String pair, RouterSweep router) {
    SweepResult best = null;
    for (SweepResult s : validation) {
      if (!s.pair().equals(pair) || !s.router().equals(router.name()) || s.agreement() < 0.9) continue;
      if (best == null || s.system2Share() < best.system2Share()) best = s;
    }
    return best;
  }

  private static SweepResult at(List<SweepResult> sweep, String pair, RouterSweep router, double threshold) {
    for (SweepResult s : sweep) if (s.pair().equals(pair) && s.router().equals(router.name()) && s.threshold() == threshold) return s;
    return null;
  }

  private static String sweepCi(boolean[] byProblem, double value) {
    Bootstrap.Interval i = Intervals.accuracy(byProblem);
    return i == null ? pct(value) : ci(i, true);
  }

  private static void paper(StringBuilder md, List<UnitResult> units, List<Analysis.FitRow> fits, List<Analysis.UncertaintyRow> unc,
      List<Analysis.Positions> positions) {
    md.append("## 6. Side by side with FS-GEN\n\n");
    java.util.function.Predicate<String> words = d -> d.equals(StudyDomain.WORD_PROBLEMS.id);
    md.append(String.format(Locale.ROOT, PAPER, range(units, Method.ORACLE, words), range(units, Method.ORACLE, words.negate()),
        range(units, Method.CONTRASTIVE, words), range(units, Method.CONTRASTIVE, words.negate()),
        range(units, Method.PROXY, words), range(units, Method.PROXY, words.negate()), r2Range(fits, words), r2Range(fits, words.negate())));
    md.append("\nWhat agrees and what does not, read off the figures and intervals above:\n\n");
    for (Analysis.FitRow r : fits) {
      if (r.fit() != null) md.append("- ").append(fitReading(r.method(), r)).append('\n');
    }
    for (Analysis.UncertaintyRow r : unc) {
      if (!r.measure().equals("top-1 probability") || !r.pair().equals(Analysis.POOLED)) continue;
      Bootstrap.Interval i = r.interval();
      String verdict = i == null ? "the data cannot tell whether interventions fall where System 1 is uncertain"
          : i.low() > 0.5 ? "interventions fall where System 1 is uncertain, as FS-GEN found"
          : i.high() < 0.5 ? "interventions fall where System 1 is confident, unlike FS-GEN's finding"
          : "the interval includes chance (0.5), so the data cannot tell whether interventions fall where System 1 is uncertain";
      md.append(String.format(Locale.ROOT, "- %s: System 1's top-1 probability is %.2f on average where System 2 intervenes and %.2f where it agrees"
          + " (AUROC %s): %s.%n", r.domain(), r.intervenedMean(), r.matchedMean(), ci(i, false), verdict));
    }
    for (Analysis.Positions p : positions) {
      if (!p.method().equals(Method.ORACLE.id)) continue;
      Bootstrap.Interval e = p.earlyExcess();
      String verdict = e == null ? "the data cannot tell whether interventions concentrate early"
          : e.low() > 0 ? "interventions concentrate in the first tenth, as FS-GEN reports"
          : e.high() < 0 ? "the first tenth has fewer interventions than the rest, unlike FS-GEN's report"
          : "the interval includes 0, so the data cannot tell whether interventions concentrate early";
      md.append(String.format(Locale.ROOT, "- %s: the oracle's intervention rate in the first tenth minus its mean over the other tenths is %s: %s.%n",
          p.domain(), e == null ? "undetermined" : String.format(Locale.ROOT, "%+.1f points [%+.1f, %+.1f]", 100 * e.estimate(), 100 * e.low(), 100 * e.high()),
          verdict));
    }
    md.append(String.format(Locale.ROOT, """
        - Scale: FS-GEN's models are 0.5B–72B parameters and its tasks are benchmarks (GSM8K, MMLU-STEM, MBPP); fsgen's are %s
          parameters trained here, measured on %s. Absolute frequencies are not comparable; the shape of the findings
          (CF rising with the ratio, interventions where System 1 is uncertain) is what this study checks.
        """, parameterRange(units), domains(units).stream().map(d -> d.description).collect(java.util.stream.Collectors.joining(", "))));
  }

  /** The family's span, smallest to largest, in millions of parameters: "0.16–11.0 M". */
  static String parameterRange(List<UnitResult> units) {
    LongSummaryStatistics sizes = units.stream().flatMapToLong(u -> java.util.stream.LongStream.of(u.smallParameters(), u.largeParameters()))
        .summaryStatistics();
    return sizes.getCount() == 0 ? "no" : String.format(Locale.ROOT, "%.2f–%.1f M", sizes.getMin() / 1e6, sizes.getMax() / 1e6);
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
        Bootstrap.Interval acc = Intervals.accuracy(u.correctByPrompt());
        md.append(' ').append(acc == null ? pct(u.accuracy()) : ci(acc, true)).append(gated ? String.format(Locale.ROOT, " (%.0f%%)", 100 * u.system2Share()) : "").append(" |");
      }
      md.append('\n');
    }
    if (d == StudyDomain.WORD_PROBLEMS) {
      md.append("\nGated handoff on the word problems is measured by the router sweep below, with thresholds chosen on validation, not at fixed thresholds per pair.\n");
    }
    md.append('\n');
  }

  /** The study domains measured, in their order (the word problems only where the data had them). */
  private static List<StudyDomain> domains(List<UnitResult> units) {
    return Arrays.stream(StudyDomain.values()).filter(d -> units.stream().anyMatch(u -> u.domain().equals(d.id))).toList();
  }

  /**
   * What one method's fits support, in words: the direction of CF with the ratio only where the
   * slope's interval excludes 0, and whether the two sizes separately predict better than the ratio.
   */
  static String fitReading(String method, Analysis.FitRow row) {
    ScalingFit.Fit f = row.fit();
    Bootstrap.Interval s = row.slope();
    StringBuilder b = new StringBuilder(method + ", " + row.domain() + ": ");
    if (s == null) {
      b.append("the data cannot tell how CF moves with the ratio");
    } else {
      String interval = String.format(Locale.ROOT, "slope %.3f per e-fold of R, interval %.3f to %.3f", f.logRatio().coefficients()[1], s.low(), s.high());
      b.append(s.low() > 0 ? "CF rises with the ratio (" + interval + ")"
          : s.high() < 0 ? "CF falls as the ratio grows (" + interval + ")"
          : "the interval of the slope includes 0 (" + interval + "), so the data cannot tell whether CF rises with the ratio");
    }
    ScalingFit.Model sizes = f.logSizes();
    ScalingFit.Model ratio = f.logRatio();
    Bootstrap.Interval e = row.sizeEffect();
    if (sizes == null || e == null) {
      b.append("; too few pairs, or a single size of S or L, to tell the sizes from their ratio");
    } else {
      // u + v: the change of CF per e-fold of both sizes at a fixed ratio; the verdict rests on its interval, AIC and LOO stand beside it
      String figures = String.format(Locale.ROOT, "u + v = %.3f, interval %.3f to %.3f; AIC %.1f against the ratio's %.1f, LOO error %s against %s",
          sizes.coefficients()[1] + sizes.coefficients()[2], e.low(), e.high(), sizes.aic(), ratio.aic(), pct(sizes.looError()), pct(ratio.looError()));
      b.append(e.low() > 0 || e.high() < 0
          ? String.format(Locale.ROOT, "; at the same ratio, a larger pair collaborates %s (%s): the ratio alone does not carry CF",
              e.low() > 0 ? "more" : "less", figures)
          : "; whether the sizes matter beside their ratio the data cannot tell (" + figures + ")");
    }
    if (f.paper().residualDof() <= 1) b.append("; with ").append(f.paper().residualDof()).append(" residual degree of freedom its power-law R² is not comparable with FS-GEN's");
    return b.append('.').toString();
  }

  private static List<String> pairs(List<UnitResult> units) {
    return units.stream().map(UnitResult::pair).distinct().toList();
  }

  private static UnitResult find(List<UnitResult> units, String pair, StudyDomain d, Method m) {
    for (UnitResult u : units) if (u.pair().equals(pair) && u.domain().equals(d.id) && u.method().equals(m.id)) return u;
    return null;
  }

  /** A task's exact match of one method on one pair with its interval; null where it was not measured. */
  private static Bootstrap.Interval accuracy(List<UnitResult> units, StudyDomain task, String pair, Method m) {
    UnitResult u = find(units, pair, task, m);
    return u == null ? null : Intervals.accuracy(u.correctByPrompt());
  }

  /** Share of a task's final answers the same as L alone's (the oracle's), with its interval; null where either was not measured. */
  private static Bootstrap.Interval agreement(List<UnitResult> units, StudyDomain task, String pair, Method m) {
    UnitResult u = find(units, pair, task, m);
    UnitResult l = find(units, pair, task, Method.ORACLE);
    if (u == null || l == null) return null;
    boolean[] same = new boolean[u.outputs().size()];
    for (int i = 0; i < same.length; i++) same[i] = task.finalAnswer(u.outputs().get(i)).equals(task.finalAnswer(l.outputs().get(i)));
    return Intervals.accuracy(same);
  }

  private static String range(List<UnitResult> units, Method m, java.util.function.Predicate<String> domain) {
    List<String> parts = new ArrayList<>();
    for (StudyDomain d : domains(units)) {
      if (!domain.test(d.id)) continue;
      DoubleSummaryStatistics st = units.stream().filter(u -> u.method().equals(m.id) && u.domain().equals(d.id))
          .mapToDouble(Analysis::fittedCf).filter(v -> !Double.isNaN(v)).summaryStatistics();
      if (st.getCount() > 0) parts.add(String.format(Locale.ROOT, "%s %.1f–%.1f%%", d.id, 100 * st.getMin(), 100 * st.getMax()));
    }
    return parts.isEmpty() ? "not measured" : String.join(", ", parts);
  }

  /** "0.12–0.34", or one figure where both ends print alike (one domain, or an R² of −0.001 and 0.002); never "-0.00". */
  private static String span(double min, double max) {
    String low = String.format(Locale.ROOT, "%.2f", min).replace("-0.00", "0.00");
    String high = String.format(Locale.ROOT, "%.2f", max).replace("-0.00", "0.00");
    return low.equals(high) ? low : low + "–" + high;
  }

  private static String r2Range(List<Analysis.FitRow> all, java.util.function.Predicate<String> domain) {
    List<Analysis.FitRow> fits = all.stream().filter(r -> domain.test(r.domain())).toList();
    List<String> parts = new ArrayList<>();
    for (Method m : List.of(Method.ORACLE, Method.CONTRASTIVE, Method.PROXY)) {
      // FS-GEN's bounded form, and only fits with at least 2 residual degrees of freedom: an R² on fewer says nothing
      DoubleSummaryStatistics st = fits.stream().filter(r -> r.method().equals(m.id) && r.fit() != null && r.fit().paper().residualDof() >= 2)
          .mapToDouble(r -> r.fit().paper().rSquared()).filter(v -> !Double.isNaN(v)).summaryStatistics();
      if (st.getCount() > 0) {
        parts.add(String.format(Locale.ROOT, "%s %s (%d residual dof)", m.id, span(st.getMin(), st.getMax()),
            fits.stream().filter(r -> r.method().equals(m.id) && r.fit() != null).mapToInt(r -> r.fit().paper().residualDof()).max().orElse(0)));
      } else if (fits.stream().anyMatch(r -> r.method().equals(m.id) && r.fit() != null)) {
        parts.add(m.id + ": too few pairs for a comparable R²");
      }
    }
    return parts.isEmpty() ? "too few pairs to fit" : String.join(", ", parts);
  }

  private static String cfCi(UnitResult u) {
    if (u == null) return "—";
    Bootstrap.Interval i = Intervals.cf(u);
    return i == null ? pct(u.collaborationFrequency()) : ci(i, true);
  }

  /** "50.0% [46.1–53.9]" (percent) or "0.74 [0.71–0.77]"; "—" where the data cannot tell. */
  static String ci(Bootstrap.Interval i, boolean percent) {
    if (i == null) return "— (the data cannot tell)";
    return percent ? String.format(Locale.ROOT, "%.1f%% [%.1f–%.1f]", 100 * i.estimate(), 100 * i.low(), 100 * i.high())
        : String.format(Locale.ROOT, "%.2f [%.2f–%.2f]", i.estimate(), i.low(), i.high());
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
