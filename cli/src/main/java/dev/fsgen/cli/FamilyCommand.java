package dev.fsgen.cli;

import com.google.gson.GsonBuilder;
import dev.fsgen.bench.Json;
import dev.fsgen.study.QualityEval;
import dev.fsgen.runtime.model.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen family}: the whole model family in one resumable command — every size on the
 * general mixture, the Bible-tuned variants, then the quality table. Finished models are skipped,
 * an interrupted one resumes from its checkpoint.
 */
@Command(name = "family", mixinStandardHelpOptions = true,
    description = {"Train the whole model family, then write its quality table.",
        "Takes hours on 2 cores; rerun the same command after an interruption to continue."})
public final class FamilyCommand implements Callable<Integer> {
  @Option(names = "--out-dir", paramLabel = "DIR", description = "Where the models go, one directory each. Default: <root>/work/family.")
  Path outDir;

  @Option(names = "--sizes", split = ",", defaultValue = "xs,s,m,l,xl", description = "Sizes on the general mixture. Default: ${DEFAULT-VALUE}.")
  List<String> sizes;

  @Option(names = "--tuned", split = ",", defaultValue = "xs,s,m,xl", description = "Sizes also tuned on the King James Bible (proxy tuning needs a tuned small and, as its reference, a tuned large model; the study pairs each tuned small model with every larger one, so three tuned small sizes give nine pairs). Default: ${DEFAULT-VALUE}.")
  List<String> tuned;

  @Option(names = "--data", paramLabel = "DIR", description = "Prepared data (./fsgen data), bundled or broad: every size trains on its general mixture. Default: <root>/data.")
  Path data;

  @Option(names = "--problems", description = "The quality table's test problems per task. Default: ./fsgen eval's.")
  Integer problems;

  @Option(names = "--windows", description = "The quality table's 256-token windows per perplexity at most. Default: ./fsgen eval's.")
  Integer windows;

  @picocli.CommandLine.Mixin FiguresOutput output;

  @Option(names = "--quality", hidden = true, paramLabel = "FILE", description = "The old name of --table-out.")
  void quality(Path file) {
    output.tableOut = file;
  }

  @Override
  public Integer call() throws Exception {
    Path dir = outDir != null ? outDir : Cli.root().resolve("work/family");
    Files.createDirectories(dir);
    // the quality table's evaluation, checked before hours of training rather than after
    List<String> evalArgs = new java.util.ArrayList<>(List.of("--family", dir.toString()));
    if (data != null) evalArgs.addAll(List.of("--data", data.toString()));
    if (problems != null) evalArgs.addAll(List.of("--problems", problems.toString()));
    if (windows != null) evalArgs.addAll(List.of("--windows", windows.toString()));
    EvalCommand eval = new EvalCommand();
    new CommandLine(eval).parseArgs(evalArgs.toArray(String[]::new));
    eval.checkSizes();
    Map<String, Object> times = new LinkedHashMap<>();
    long start = System.nanoTime();
    for (String s : sizes) {
      ModelFamily size = ModelFamily.parse(s);
      times.put(size.id(), train(dir.resolve(size.id()), "--size", size.id(), "--out", dir.resolve(size.id()).toString()));
    }
    for (String s : tuned) {
      ModelFamily size = ModelFamily.parse(s);
      Path base = dir.resolve(size.id());
      if (!Files.exists(base.resolve("model.safetensors"))) {
        throw new IllegalArgumentException("--tuned " + size.id() + " needs the general " + size.id() + " model; add it to --sizes");
      }
      Path target = dir.resolve(size.id() + "-kjv");
      times.put(size.id() + "-kjv", train(target, "--size", size.id(), "--domain", "kjv", "--init", base.toString(), "--out", target.toString()));
    }
    // the quality table is part of what the family is for: written to docs/quality.md unless told otherwise
    if (output.tableOut == null) output.tableOut = Cli.root().resolve("docs/quality.md");
    List<QualityEval.Quality> quality = eval.measure();
    times.put("total_seconds_this_run", (System.nanoTime() - start) / 1e9);
    Files.writeString(dir.resolve("family.json"), new GsonBuilder().setPrettyPrinting().create().toJson(times) + "\n");
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("models", dir.toString());
    figures.put("training_seconds", times); // per model, null where a model was trained before it kept a report
    figures.put("quality", quality);
    figures.put("neighbours", QualityEval.neighbours(quality));
    figures.put("table", output.tableOut.toString());
    output.emit(() -> Json.compact().toJson(figures), QualityEval.markdown(quality));
    System.err.println("family: done; wall times in " + dir.resolve("family.json") + ", table in " + output.tableOut);
    return 0;
  }

  /** Trains one model unless it is finished; returns the training wall time recorded in its report. */
  private Object train(Path target, String... args) throws Exception {
    if (!Files.exists(target.resolve("model.safetensors"))) {
      List<String> all = new java.util.ArrayList<>(List.of(args));
      if (data != null) all.addAll(List.of("--data", data.toString()));
      int rc = new CommandLine(new TrainCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(all.toArray(String[]::new));
      if (rc != 0) throw new IllegalStateException("training " + target + " failed (exit " + rc + ")");
    }
    Path report = target.resolve("training.json");
    return Files.exists(report)
        ? com.google.gson.JsonParser.parseString(Files.readString(report)).getAsJsonObject().get("seconds").getAsDouble()
        : null;
  }
}
