package dev.fsgen.cli;

import dev.fsgen.bench.SpeculativeBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen bench speculative}: speculative decoding against System 2 alone through the services. */
@Command(name = "speculative", mixinStandardHelpOptions = true,
    description = {"Tokens/s of speculative decoding against System 2 alone, through System 1, System 2 and the orchestrator",
        "on loopback, for each draft length; with the acceptance alpha, the cost ratio c and the speedup they predict.",
        "Targets: measured/expected >= 0.85 at every gamma; best speedup >= 1.5x. Progress goes to stderr."})
public final class BenchSpeculativeCommand implements Callable<Integer> {
  @Option(names = "--system1-model", description = "Default: <root>/models/system1.")
  Path system1;

  @Option(names = "--system2-model", description = "Default: <root>/models/system2.")
  Path system2;

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

  @Option(names = "--json", description = "Print all figures as one JSON object instead of a table.")
  boolean json;

  @Option(names = "--out", description = "Also write the figures as JSON to this file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path root = Cli.root();
    SpeculativeBench.Settings s = new SpeculativeBench.Settings(system1 != null ? system1 : root.resolve("models/system1"),
        system2 != null ? system2 : root.resolve("models/system2"), prompts, maxTokens, minGamma, maxGamma, repeats);
    SpeculativeBench.Figures f = SpeculativeBench.measure(s, line -> System.err.println("bench speculative: " + line));
    if (out != null) {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      Files.writeString(out, SpeculativeBench.toJson(f) + "\n");
    }
    System.out.print(json ? SpeculativeBench.toJson(f) + "\n" : SpeculativeBench.toTable(f));
    return 0;
  }
}
