package dev.fsgen.cli;

import dev.fsgen.bench.SpeculativeBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fsgen bench speculative}: speculative decoding against System 2 alone through the services. */
@Command(name = "speculative", mixinStandardHelpOptions = true,
    description = {"Tokens/s of speculative decoding against System 2 alone, through System 1, System 2 and the orchestrator",
        "on loopback, for each draft length; with the acceptance alpha, the cost ratio c and the speedup they predict.",
        "Targets: measured/expected >= 0.85 at every gamma; best speedup >= 1.5x. Progress goes to stderr."})
public final class BenchSpeculativeCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Option(names = "--prompts", defaultValue = "12", description = "Prompts from the fixed set. Default: ${DEFAULT-VALUE}.")
  int prompts;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens per generation. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--min-gamma", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int minGamma;

  @Option(names = "--max-gamma", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
  int maxGamma;

  @Option(names = "--repeats", defaultValue = "2", description = "Interleaved runs of each configuration. Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Mixin FiguresOutput output;

  @Override
  public Integer call() throws Exception {
    SpeculativeBench.Settings s = new SpeculativeBench.Settings(pair.system1(),
        pair.system2(), prompts, maxTokens, minGamma, maxGamma, repeats);
    SpeculativeBench.Figures f = SpeculativeBench.measure(s, line -> System.err.println("bench speculative: " + line));
    output.emit(SpeculativeBench.toJson(f), SpeculativeBench.toTable(f));
    return 0;
  }
}
