package dev.fsgen.cli;

import dev.fsgen.bench.SpeculativeBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fsgen bench speculative}: speculative decoding against System 2 alone through the
 * services, on several prompt sets, for the bundled System 2 and for a memory-bound one.
 */
@Command(name = "speculative", mixinStandardHelpOptions = true,
    description = {"Measure speculative decoding against System 2 alone.",
        "Tokens/s of speculative decoding against System 2 alone, through System 1, System 2 and the orchestrator",
        "on loopback, for each draft length; with the acceptance alpha, the cost ratio c, the verification's cost in",
        "System 2 steps and the speedup they predict; on each prompt set, then for the memory-bound System 2",
        "(./fsgen cost-model) if it exists. Progress goes to stderr."})
public final class BenchSpeculativeCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Mixin SpeculativeRunOptions run;

  @Option(names = "--min-gamma", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int minGamma;

  @Option(names = "--prompt-sets", split = ",", defaultValue = "own,fresh,test",
      description = "Prompt sets, each measured on its own: own (the benchmark's fixed set), fresh (written for it, from no corpus), test (Brown's test split, from --data; skipped with a message when not prepared). Default: ${DEFAULT-VALUE}.")
  List<String> promptSets;

  @Option(names = "--data", description = "Prepared data (./fsgen data), for the test prompt set. Default: <root>/data.")
  Path data;

  @Option(names = "--adaptive", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also compare the adaptive draft length with the fixed ones (on the first prompt set). Default: ${DEFAULT-VALUE}.")
  boolean adaptive;

  @Option(names = "--memory-bound", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also measure the memory-bound System 2 (see --memory-bound-system2). Default: ${DEFAULT-VALUE}.")
  boolean withMemoryBound;

  @Option(names = "--memory-bound-system2", description = "A System 2 whose step is bound by reading its weights, measured after the bundled one on the first prompt set. Default: <root>/work/models/system2-cost if it exists (./fsgen cost-model).")
  Path memoryBound;

  @Option(names = "--memory-bound-prompts", defaultValue = "4", description = "Prompts for the memory-bound System 2 (its steps are slow). Default: ${DEFAULT-VALUE}.")
  int memoryBoundPrompts;

  @Option(names = "--memory-bound-max-tokens", defaultValue = "64", description = "Tokens per generation for the memory-bound System 2. Default: ${DEFAULT-VALUE}.")
  int memoryBoundMaxTokens;

  @Option(names = "--memory-bound-min-gamma", defaultValue = "2", description = "Shortest draft length for the memory-bound System 2. Default: ${DEFAULT-VALUE}.")
  int memoryBoundMinGamma;

  @Mixin FiguresOutput output;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws Exception {
    weightsOption.apply();
    Path dataDir = data != null ? data : Cli.root().resolve("data");
    Map<String, List<String>> sets = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (String name : promptSets) {
      try {
        sets.put(name.trim(), SpeculativeBench.promptSet(name.trim(), dataDir));
      } catch (IllegalArgumentException e) {
        if (!name.trim().equals("test")) throw e;
        skipped.add("prompt set 'test' skipped: " + e.getMessage());
        System.err.println("bench speculative: " + skipped.get(skipped.size() - 1));
      }
    }
    if (sets.isEmpty()) throw new IllegalArgumentException("no prompt set to measure");
    List<SpeculativeBench.Figures> all = new ArrayList<>();
    boolean first = true;
    for (Map.Entry<String, List<String>> e : sets.entrySet()) {
      SpeculativeBench.Settings s = new SpeculativeBench.Settings(pair.system1(), pair.system2(), Math.min(run.prompts, e.getValue().size()),
          run.maxTokens, minGamma, run.maxGamma, run.repeats, e.getKey(), e.getValue(), adaptive && first);
      all.add(SpeculativeBench.measure(s, Cli.progress("bench")));
      first = false;
    }
    Path big = memoryBound != null ? memoryBound : Cli.root().resolve("work/models/system2-cost");
    if (!withMemoryBound) {
      // not asked for
    } else if (memoryBound != null || Files.isDirectory(big)) {
      Map.Entry<String, List<String>> e = sets.entrySet().iterator().next();
      SpeculativeBench.Settings s = new SpeculativeBench.Settings(pair.system1(), big, Math.min(memoryBoundPrompts, e.getValue().size()),
          memoryBoundMaxTokens, Math.max(minGamma, memoryBoundMinGamma), run.maxGamma, run.repeats, e.getKey(), e.getValue(), false);
      all.add(SpeculativeBench.measure(s, Cli.progress("bench (memory-bound System 2)")));
    } else {
      skipped.add("memory-bound System 2 skipped: " + big + " does not exist (make it with ./fsgen cost-model)");
      System.err.println("bench speculative: " + skipped.get(skipped.size() - 1));
    }
    StringBuilder table = new StringBuilder();
    for (SpeculativeBench.Figures f : all) table.append(SpeculativeBench.toTable(f)).append('\n');
    table.append(SpeculativeBench.summaryTable(all));
    for (String s : skipped) table.append(s).append('\n');
    output.emit(() -> SpeculativeBench.toJson(all, skipped), table.toString());
    return 0;
  }
}
