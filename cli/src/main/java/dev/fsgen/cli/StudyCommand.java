package dev.fsgen.cli;

import com.google.gson.GsonBuilder;
import dev.fsgen.bench.Json;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.study.FamilyModels;
import dev.fsgen.study.PromptSet;
import dev.fsgen.study.Report;
import dev.fsgen.study.StudyRunner;
import dev.fsgen.study.UnitResult;
import dev.fsgen.training.data.DataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen study}: the FS-GEN study on the model family, as a report with plots. Resumable:
 * every finished measurement is kept in the work directory, and a rerun continues from there.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
    description = {"Reproduce the FS-GEN study on the model family as a report.",
        "Collaboration frequency per method and pair, the scaling law, where interventions fall, System 1's uncertainty, and "
            + "the cost/quality trade-off of gated handoff, as a Markdown report with PNG plots and CSV data in --out-dir.",
        "Resumable: rerun the same command after an interruption. --quick runs a small version on the bundled default pair "
            + "(about a minute)."})
public final class StudyCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "Few prompts, three thresholds per router, the bundled pair unless --family is given.")
  boolean quick;

  @Option(names = "--family", description = "Directory of model directories (./fsgen family). Default: <root>/work/family; with --quick, the bundled pair.")
  Path family;

  @Option(names = "--data", description = "Prepared data directory (./fsgen data). Default: <root>/data.")
  Path data;

  @Option(names = "--out-dir", paramLabel = "DIR", description = "Where the report goes. Default: <root>/docs/study; with --quick, <root>/work/study-quick/report.")
  Path outDir;

  @picocli.CommandLine.Mixin ResultOutput output;

  @Option(names = "--work", description = "Where measurements are kept for resuming. Default: <root>/work/study (or work/study-quick).")
  Path work;

  @Option(names = "--prompts", description = "Prose and Bible prompts each. Default: 100 (--quick: 3).")
  Integer prompts;

  @Option(names = "--prompt-tokens", description = "Tokens of each text prompt. Default: 32 (--quick: 24).")
  Integer promptTokens;

  @Option(names = "--tokens", description = "Tokens generated per text prompt. Default: 128 (--quick: 16).")
  Integer tokens;

  @Option(names = "--problems", description = "Arithmetic problems, and word problems where the data has them (--mixture broad). Default: 1000 (--quick: 20).")
  Integer problems;

  @Option(names = "--fresh", description = "Discard saved measurements and start over.")
  boolean fresh;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    Path root = Cli.root();
    PromptSet.Sizes sizes = new PromptSet.Sizes(
        pick(prompts, 100, 3, "--prompts"), pick(promptTokens, 32, 24, "--prompt-tokens"), pick(tokens, 128, 16, "--tokens"), pick(problems, 1000, 20, "--problems"));
    DataLayout layout = new DataLayout(data != null ? data : root.resolve("data"));
    Path workDir = work != null ? work : root.resolve(quick ? "work/study-quick" : "work/study");
    Path reportDir = outDir != null ? outDir : (quick ? workDir.resolve("report") : root.resolve("docs/study"));
    try (FamilyModels models = family != null || !quick
        ? FamilyModels.scan(family != null ? family : root.resolve("work/family"))
        : FamilyModels.pair(root.resolve("models/system1"), root.resolve("models/system2"))) {
      if (fresh) deleteTree(workDir);
      checkWorkDir(workDir, settings(models, sizes));
      Report.Clock clock = Report.Clock.start(workDir, start);
      System.err.printf("study: %d models, %d pairs; measurements kept in %s%n", models.general().size(), models.pairs().size(), workDir);
      StudyRunner.Results results = new StudyRunner(models, new StudyRunner.Options(layout, workDir, sizes, quick),
          Progress.sink(System.err)).run(clock::lap);
      double wall = (System.nanoTime() - start) / 1e9;
      Report.WallTime total = clock.lap();
      Report.write(reportDir, new Report.Setup(models.general(), sizes, models.pairs().size(), quick, total,
          layout.arithmeticMaxDigits()), results);
      System.err.printf("study: report written to %s (%.1f min; %.1f min over %d run(s) on these measurements)%n", reportDir.resolve("README.md"),
          wall / 60, total.seconds() / 60, total.runs());
      output.write(() -> figures(reportDir, workDir, models, wall, total, results));
    }
    return 0;
  }

  /** The study's figures: each measurement's counts and rates (its per-token records stay in the work directory), and the router sweep. */
  private String figures(Path reportDir, Path workDir, FamilyModels models, double wall, Report.WallTime total, StudyRunner.Results results) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("report", reportDir.resolve("README.md").toString());
    m.put("measurements", workDir.toString());
    m.put("quick", quick);
    m.put("models", models.general().stream().map(FamilyModels.Member::name).toList());
    m.put("pairs", models.pairs().size());
    m.put("seconds", wall);
    m.put("seconds_all_runs", total.seconds());
    m.put("runs", total.runs());
    List<Map<String, Object>> units = new ArrayList<>();
    for (UnitResult u : results.units()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pair", u.pair());
      row.put("small", u.small());
      row.put("large", u.large());
      row.put("domain", u.domain());
      row.put("method", u.method());
      row.put("prompts", u.prompts());
      row.put("tokens", u.tokens());
      row.put("collaboration_frequency", u.collaborationFrequency());
      row.put("system2_tokens", u.system2Tokens());
      row.put("correct", u.correct());
      row.put("seconds", u.seconds());
      units.add(row);
    }
    m.put("units", units);
    m.put("router_sweep", results.sweep());
    return Json.compact().toJson(m);
  }

  private int pick(Integer given, int full, int small, String name) {
    int v = given != null ? given : quick ? small : full;
    if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    return v;
  }

  /** What the saved measurements depend on: the prompt sizes and every model's weights. */
  private Map<String, Object> settings(FamilyModels models, PromptSet.Sizes sizes) throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("sizes", sizes.toString());
    s.put("quick", quick);
    for (FamilyModels.Pair p : models.pairs()) {
      for (FamilyModels.Member m : new FamilyModels.Member[] {p.small(), p.large(), p.smallTuned()}) {
        if (m == null) continue;
        Path w = m.dir().resolve("model.safetensors");
        s.put(m.name(), Files.size(w) + "@" + Files.getLastModifiedTime(w).toMillis());
      }
    }
    return s;
  }

  private static void checkWorkDir(Path workDir, Map<String, Object> settings) throws IOException {
    Path file = workDir.resolve("settings.json");
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(settings) + "\n";
    if (Files.exists(file)) {
      if (!Files.readString(file).equals(json)) {
        throw new IllegalArgumentException(workDir + " holds measurements made with other models or prompt sizes (" + file
            + "); pass --fresh to discard them, or --work for another directory");
      }
      return;
    }
    Files.createDirectories(workDir);
    Files.writeString(file, json);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
