package dev.fsgen.study;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The study's raw data and derived tables as CSV files beside the report, one row per measurement, token or bin. */
final class CsvExport {
  private CsvExport() {}

  static void write(Path dir, StudyRunner.Results results, List<Analysis.FitRow> fits, List<Analysis.Positions> positions,
      List<Analysis.UncertaintyRow> uncertainty) throws IOException {
    try (CSVPrinter csv = printer(dir.resolve("units.csv"), "pair", "small", "large", "small_parameters", "large_parameters", "ratio",
        "domain", "method", "prompts", "tokens", "scored", "differing", "collaboration_frequency", "drafted", "accepted", "corrections",
        "rejections_per_draft", "rejections_per_round", "system2_tokens", "correct", "accuracy", "seconds")) {
      for (UnitResult u : results.units()) {
        csv.printRecord(u.pair(), u.small(), u.large(), u.smallParameters(), u.largeParameters(), u.ratio(), u.domain(), u.method(),
            u.prompts(), u.tokens(), u.scored(), u.differing(), u.collaborationFrequency(), u.drafted(), u.accepted(), u.corrections(),
            u.rejectionsPerDraft(), u.rejectionsPerRound(), u.system2Tokens(), u.correct(), u.accuracy(), u.seconds());
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("oracle-tokens.csv"), "pair", "domain", "prompt", "position", "length", "intervened",
        "entropy", "top1", "margin")) {
      for (UnitResult u : results.units()) {
        if (!u.method().equals(Method.ORACLE.id)) continue;
        for (UnitResult.TokenRecord r : u.records()) {
          csv.printRecord(u.pair(), u.domain(), r.prompt(), r.position(), r.length(), r.intervened() ? 1 : 0, f4(r.entropy()), f4(r.top1()), f4(r.margin()));
        }
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("sweep.csv"), "pair", "router", "threshold", "problems", "correct", "agreeing", "system2_share", "seconds")) {
      for (SweepResult s : results.sweep()) {
        csv.printRecord(s.pair(), s.router(), s.threshold(), s.problems(), s.correct(), s.agreeing(), s.system2Share(), s.seconds());
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("fits.csv"), "method", "domain", "pairs", "a", "alpha", "b", "r_squared", "loo_error", "residual_vs_log_small")) {
      for (Analysis.FitRow r : fits) {
        ScalingFit.Fit f = r.fit();
        if (f != null) csv.printRecord(r.method(), r.domain(), f.points(), f.a(), f.alpha(), f.b(), f.rSquared(), f.looError(), f.residualVsSmallSize());
      }
    }
    List<String> header = new ArrayList<>(List.of("method", "domain"));
    for (int b = 0; b < Analysis.BINS; b++) {
      header.add("tokens_bin" + b);
      header.add("interventions_bin" + b);
    }
    try (CSVPrinter csv = printer(dir.resolve("positions.csv"), header.toArray(String[]::new))) {
      for (Analysis.Positions p : positions) {
        List<Object> row = new ArrayList<>(List.of(p.method(), p.domain()));
        for (int b = 0; b < Analysis.BINS; b++) {
          row.add(p.tokens()[b]);
          row.add(p.interventions()[b]);
        }
        csv.printRecord(row);
      }
    }
    try (CSVPrinter csv = printer(dir.resolve("uncertainty.csv"), "domain", "measure", "matched_mean", "intervened_mean", "auroc", "matched", "intervened")) {
      for (Analysis.UncertaintyRow r : uncertainty) {
        csv.printRecord(r.domain(), r.measure(), r.matchedMean(), r.intervenedMean(), r.auroc(), r.matched(), r.intervened());
      }
    }
  }

  private static CSVPrinter printer(Path file, String... header) throws IOException {
    Writer w = Files.newBufferedWriter(file);
    return new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).setRecordSeparator('\n').get());
  }

  /** Four decimals: enough for the analysis, and a third of the file size of full doubles. */
  private static String f4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
