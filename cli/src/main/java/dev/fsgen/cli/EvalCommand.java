package dev.fsgen.cli;

import dev.fsgen.study.QualityEval;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.training.data.DataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen eval}: the quality table of the model family. */
@Command(name = "eval", mixinStandardHelpOptions = true, subcommands = {EvalStrategiesCommand.class},
    description = {"Measure each model's quality on held-out data.",
        "Validation perplexity on every text domain and exact match on every task, with 95%% intervals,",
        "and whether each size beats the next smaller one on all of them.",
        "Without --model it evaluates every model directory under --family (smallest first)."})
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", description = "A model directory (repeatable).")
  List<Path> models = new ArrayList<>();

  @Option(names = "--family", description = "Directory of model directories. Default: <root>/work/family.")
  Path family;

  @Option(names = "--data", description = "Prepared data directory. Default: <root>/data.")
  Path data;

  @Option(names = "--problems", defaultValue = "1000", description = "Test problems per task (arithmetic, word problems), fewer where the split holds fewer. Default: ${DEFAULT-VALUE}.")
  int problems;

  @Option(names = "--windows", defaultValue = "1000", description = "At most this many 256-token windows per perplexity. Default: ${DEFAULT-VALUE}.")
  int windows;

  @picocli.CommandLine.Mixin FiguresOutput output;

  @Option(names = "--markdown", hidden = true, paramLabel = "FILE", description = "The old name of --table-out.")
  void markdown(Path file) {
    output.tableOut = file;
  }

  @Override
  public Integer call() throws IOException {
    List<QualityEval.Quality> rows = measure();
    output.emit(() -> dev.fsgen.bench.Json.compact().toJson(java.util.Map.of("models", rows, "neighbours", QualityEval.neighbours(rows))), QualityEval.markdown(rows));
    return 0;
  }

  /** Refuses sample sizes the intervals cannot be computed from (the family command asks before it trains). */
  void checkSizes() {
    if (problems < 2) throw new IllegalArgumentException("--problems must be at least 2 (their interval resamples them)");
    if (windows < 2) throw new IllegalArgumentException("--windows must be at least 2 (their interval resamples them)");
  }

  /** Every model's quality, the family's models smallest first. */
  List<QualityEval.Quality> measure() throws IOException {
    checkSizes();
    List<Path> dirs = new ArrayList<>(models);
    if (dirs.isEmpty()) {
      Path fam = family != null ? family : Cli.root().resolve("work/family");
      if (!Files.isDirectory(fam)) throw new IllegalArgumentException("no --model given and " + fam + " does not exist (train the family first)");
      try (Stream<Path> s = Files.list(fam)) {
        s.filter(d -> Files.exists(d.resolve("model.safetensors"))).forEach(dirs::add);
      }
      dirs.sort(Comparator.comparingLong(d -> LlamaConfig.read(d).parameterCount()));
    }
    DataLayout layout = new DataLayout(data != null ? data : Cli.root().resolve("data"));
    QualityEval.Options o = new QualityEval.Options(windows, problems);
    List<QualityEval.Quality> rows = new ArrayList<>();
    for (Path d : dirs) {
      rows.add(QualityEval.evaluate(d.getFileName().toString(), d, layout, o, msg -> System.err.println("eval: " + msg)));
    }
    return rows;
  }
}
