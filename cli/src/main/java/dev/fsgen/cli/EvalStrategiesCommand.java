package dev.fsgen.cli;

import dev.fsgen.bench.Json;
import dev.fsgen.bench.StrategyEval;
import dev.fsgen.training.data.DataLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen eval strategies}: what the collaboration strategies do to quality. */
@Command(name = "strategies", mixinStandardHelpOptions = true,
    description = {"Measure what the collaboration strategies do to quality.",
        "Proxy tuning as KJV perplexity (needs the family's xs, xs-kjv, xl and xl-kjv from ./fsgen family), and every "
            + "strategy's arithmetic accuracy with System 2's token share (on the default pair).",
        "Progress goes to stderr; --table-out writes the tables, --json prints the figures."})
public final class EvalStrategiesCommand implements Callable<Integer> {
  @Option(names = "--family", description = "The family's directory. Default: <root>/work/family.")
  Path family;

  @Option(names = "--data", description = "Default: <root>/data.")
  Path data;

  @Option(names = "--problems", defaultValue = "300", description = "Arithmetic test problems. Default: ${DEFAULT-VALUE}.")
  int problems;

  @Option(names = "--windows", defaultValue = "32", description = "KJV windows of 256 tokens for perplexity. Default: ${DEFAULT-VALUE}.")
  int windows;

  @Option(names = "--alpha", defaultValue = "1.0", description = "Proxy tuning's alpha. Default: ${DEFAULT-VALUE}.")
  double alpha;

  @picocli.CommandLine.Mixin FiguresOutput output;

  @Option(names = "--markdown", hidden = true, paramLabel = "FILE", description = "The old name of --table-out.")
  void markdown(Path file) {
    output.tableOut = file;
  }

  @Override
  public Integer call() throws Exception {
    if (problems < 1) throw new IllegalArgumentException("--problems must be at least 1, got " + problems);
    if (windows < 1) throw new IllegalArgumentException("--windows must be at least 1, got " + windows);
    if (!(alpha > 0)) throw new IllegalArgumentException("--alpha must be > 0, got " + alpha);
    Path root = Cli.root();
    Path dir = family != null ? family : root.resolve("work/family");
    DataLayout layout = new DataLayout(data != null ? data : root.resolve("data"));
    List<StrategyEval.PerplexityRow> proxy = null;
    String proxySkipped = null;
    Path[] needed = {dir.resolve("xl"), dir.resolve("xs-kjv"), dir.resolve("xs"), dir.resolve("xl-kjv")};
    boolean haveFamily = true;
    for (Path p : needed) haveFamily &= Files.exists(p.resolve("model.safetensors"));
    if (haveFamily) {
      proxy = StrategyEval.proxyPerplexity(needed[0], needed[1], needed[2], needed[3], layout, windows, 256, alpha,
          line -> System.err.println("eval strategies: " + line));
    } else {
      proxySkipped = dir + " lacks xs, xs-kjv, xl or xl-kjv (run ./fsgen family)";
      System.err.println("eval strategies: no proxy tuning figures: " + proxySkipped);
    }
    List<StrategyEval.AccuracyRow> arith = StrategyEval.arithmetic(root.resolve("models/system1"), root.resolve("models/system2"),
        layout, problems, StrategyEval.arithmeticStrategies(), line -> System.err.println("eval strategies: " + line));
    String pair = "System 1 = models/system1, System 2 = models/system2";
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("pair", pair);
    figures.put("proxy_tuning", proxy); // null where the family's models are missing, with the reason beside it
    figures.put("proxy_tuning_skipped", proxySkipped);
    figures.put("arithmetic", arith);
    output.emit(() -> Json.compact().toJson(figures), StrategyEval.markdown(proxy, arith, pair));
    return 0;
  }
}
