package dev.fsgen.study;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The study's raw data and derived tables as CSV files beside the report, one row per measurement, token or bin. */
final class CsvExport {
  private CsvExport() {}

  static void write(Path dir, StudyRunner.Results results, List<Analysis.FitRow> fits, List<Analysis.Positions> positions,
      List<Analysis.UncertaintyRow> uncertainty, List<TokenType.Row> types) throws IOException {
    try (CSVPrinter csv = printer(dir.resolve("units.csv"), "pair", "small", "large", "small_parameters", "large_parameters", "ratio",
        "domain", "method", "prompts", "tokens", "scored", "differing", "collaboration_frequency", "cf_low", "cf_high",
        "proxy_cf_vs_base", "proxy_cf_vs_base_low", "proxy_cf_vs_base_high", "drafted", "accepted", "corrections",
        "rejections_per_draft", "rejections_per_round", "system2_tokens", "correct", "accuracy", "accuracy_low", "accuracy_high", "seconds")) {
      for (UnitResult u : results.units()) {
        Bootstrap.Interval cf = Intervals.cf(u);
        Bootstrap.Interval base = Intervals.proxyBaseCf(u);
        Bootstrap.Interval acc = Intervals.accuracy(u.correctByPrompt());
        csv.printRecord(u.pair(), u.small(), u.large(), u.smallParameters(), u.largeParameters(), u.ratio(), u.domain(), u.method(),
            u.prompts(), u.tokens(), u.scored(), u.differing(), u.collaborationFrequency(), low(cf), high(cf),
            Analysis.proxyBaseCf(u), low(base), high(base), u.drafted(), u.accepted(), u.corrections(),
            u.rejectionsPerDraft(), u.rejectionsPerRound(), u.system2Tokens(), u.correct(), u.accuracy(), low(acc), high(acc), u.seconds());
      }
    }
    // a row per token of every oracle output (tens of MB for a full study): gzipped as written
    try (CSVPrinter csv = printer(dir.resolve("oracle-tokens.csv.gz"), "pair", "domain", "prompt", "position", "length", "intervened",
        "entropy", "top1", "margin", "piece")) {
      for (UnitResult u : results.units()) {
        if (!u.method().equals(Method.ORACLE.id)) continue;
        for (UnitResult.TokenRecord r : u.records()) {
          csv.printRecord(u.pair(), u.domain(), r.prompt(), r.position(), r.length(), r.intervened() ? 1 : 0, f4(r.entropy()), f4(r.top1()), f4(r.margin()),
              r.piece());
        }
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("sweep.csv"), "pair", "domain", "split", "router", "threshold", "problems", "correct", "accuracy_low",
        "accuracy_high", "agreeing", "system2_share", "seconds")) {
      for (SweepResult s : results.sweep()) {
        Bootstrap.Interval acc = Intervals.accuracy(s.correctByProblem());
        csv.printRecord(s.pair(), s.task(), s.onValidation() ? SweepResult.VALIDATION : SweepResult.TEST, s.router(), s.threshold(), s.problems(),
            s.correct(), low(acc), high(acc), s.agreeing(), s.system2Share(), s.seconds());
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("fits.csv"), "method", "domain", "pairs", "model", "coefficients", "residual_dof", "sse",
        "r_squared", "aic", "loo_error", "slope_low", "slope_high", "residual_vs_log_small")) {
      for (Analysis.FitRow r : fits) {
        ScalingFit.Fit f = r.fit();
        if (f == null) continue;
        for (ScalingFit.Model m : new ScalingFit.Model[] {f.free(), f.paper(), f.logRatio(), f.logSizes()}) {
          if (m == null) continue;
          boolean slope = m.form() == ScalingFit.Form.LOG_RATIO;
          csv.printRecord(r.method(), r.domain(), f.points(), m.form().name().toLowerCase(Locale.ROOT),
              java.util.Arrays.stream(m.coefficients()).mapToObj(Double::toString).collect(java.util.stream.Collectors.joining(" ")),
              m.residualDof(), m.sse(), m.rSquared(), m.aic(), m.looError(), slope ? low(r.slope()) : "", slope ? high(r.slope()) : "",
              f.residualVsSmallSize());
        }
      }
    }
    List<String> header = new ArrayList<>(List.of("method", "domain"));
    for (int b = 0; b < Analysis.BINS; b++) {
      header.addAll(List.of("tokens_bin" + b, "interventions_bin" + b, "rate_low_bin" + b, "rate_high_bin" + b,
          "share_by_output_bin" + b, "share_by_output_low_bin" + b, "share_by_output_high_bin" + b, "share_by_pair_bin" + b));
    }
    header.addAll(List.of("early_excess", "early_excess_low", "early_excess_high"));
    try (CSVPrinter csv = printer(dir.resolve("positions.csv"), header.toArray(String[]::new))) {
      for (Analysis.Positions p : positions) {
        List<Object> row = new ArrayList<>(List.of(p.method(), p.domain()));
        for (int b = 0; b < Analysis.BINS; b++) {
          row.addAll(List.of(p.tokens()[b], p.interventions()[b], low(p.rateIntervals()[b]), high(p.rateIntervals()[b]),
              p.shareByOutput()[b], low(p.shareIntervals()[b]), high(p.shareIntervals()[b]), p.shareByPair()[b]));
        }
        Bootstrap.Interval e = p.earlyExcess();
        row.addAll(List.of(e == null ? "" : e.estimate(), low(e), high(e)));
        csv.printRecord(row);
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("uncertainty.csv"), "domain", "pair", "measure", "matched_mean", "intervened_mean", "auroc",
        "auroc_low", "auroc_high", "matched", "intervened")) {
      for (Analysis.UncertaintyRow r : uncertainty) {
        csv.printRecord(r.domain(), r.pair(), r.measure(), r.matchedMean(), r.intervenedMean(), r.auroc(), low(r.interval()), high(r.interval()),
            r.matched(), r.intervened());
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("token-types.csv"), "domain", "type", "tokens", "interventions", "rate_low", "rate_high", "share")) {
      for (TokenType.Row t : types) {
        csv.printRecord(t.domain(), t.type().label, t.tokens(), t.interventions(), low(t.rate()), high(t.rate()), t.share());
      }
    }
  }

  /** A CSV file, gzipped where its name ends in .gz (Java's gzip header carries no time: the same rows give the same bytes). */
  private static CSVPrinter printer(Path file, String... header) throws IOException {
    Writer w = file.getFileName().toString().endsWith(".gz")
        ? new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file), 1 << 16), StandardCharsets.UTF_8))
        : Files.newBufferedWriter(file);
    return new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).setRecordSeparator('\n').get());
  }

  /** An interval's bounds, empty where the data cannot tell. */
  private static Object low(Bootstrap.Interval i) {
    return i == null ? "" : i.low();
  }

  private static Object high(Bootstrap.Interval i) {
    return i == null ? "" : i.high();
  }

  /** Four decimals: enough for the analysis, and a third of the file size of full doubles. */
  private static String f4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
