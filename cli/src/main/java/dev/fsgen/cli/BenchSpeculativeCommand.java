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
        "Targets: measured/expected >= 0.9 at every gamma; best speedup >= 2x. Progress goes to stderr."})
public final class BenchSpeculativeCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Mixin SpeculativeRunOptions run;

  @Option(names = "--min-gamma", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  int minGamma;

  @Mixin FiguresOutput output;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws Exception {
    weightsOption.apply();
    SpeculativeBench.Settings s = new SpeculativeBench.Settings(pair.system1(),
        pair.system2(), run.prompts, run.maxTokens, minGamma, run.maxGamma, run.repeats);
    SpeculativeBench.Figures f = SpeculativeBench.measure(s, line -> System.err.println("bench speculative: " + line));
    output.emit(SpeculativeBench.toJson(f), SpeculativeBench.toTable(f));
    return 0;
  }
}
