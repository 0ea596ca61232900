package dev.fsgen.cli;

import dev.fsgen.bench.ConcurrencyBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fsgen bench concurrency}: aggregate tokens/s and latencies under concurrent streams. */
@Command(name = "concurrency", mixinStandardHelpOptions = true,
    description = {"Measure tokens/s and latencies of concurrent streams.",
        "Aggregate tokens/s of concurrent streams through System 1, System 2 and the orchestrator on loopback,",
        "with System 2 alone and with speculative decoding: time to first token and time between tokens (p50, p99),",
        "and System 2 requests per forward pass (continuous batching). Target: System 2 alone at 16 streams >= 3.5x one stream, and speculative faster than it there.",
        "Progress goes to stderr."})
public final class BenchConcurrencyCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Option(names = "--streams", split = ",", defaultValue = "1,4,16,64", description = "Concurrency levels. Default: ${DEFAULT-VALUE}.")
  int[] streams;

  @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens per generation. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--generations", defaultValue = "2", description = "Generations each stream runs, one after another. Default: ${DEFAULT-VALUE}.")
  int generations;

  @Mixin FiguresOutput output;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws Exception {
    weightsOption.apply();
    ConcurrencyBench.Settings s = new ConcurrencyBench.Settings(pair.system1(),
        pair.system2(), streams, maxTokens, generations);
    ConcurrencyBench.Figures f = ConcurrencyBench.measure(s, Cli.progress("bench"));
    output.emit(() -> ConcurrencyBench.toJson(f), ConcurrencyBench.toTable(f));
    return 0;
  }
}
