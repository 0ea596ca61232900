package dev.fsgen.cli;

import dev.fsgen.bench.RuntimeBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen bench runtime}: batch-1 decode and prefill speed and memory of one model, against this machine's floor. */
@Command(name = "runtime", mixinStandardHelpOptions = true,
    description = {"Measure one model's decode and prefill speed, and its memory.",
        "Decode latency and prefill throughput beside the floor measured in the same run",
        "(one libtorch matrix-vector product over the model's weight bytes), resident memory and the JVM heap.",
        "Targets: decode <= 1.5 x floor; resident memory <= 2 x weight bytes + 300 MB. Progress goes to stderr."})
public final class BenchRuntimeCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Model directory (Hugging Face layout). Default: <root>/models/system2.")
  Path model;

  @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt prefilled before each decode run. Default: ${DEFAULT-VALUE}.")
  int promptTokens;

  @Option(names = "--decode-tokens", defaultValue = "128", description = "Timed one-token steps per run. Default: ${DEFAULT-VALUE}.")
  int decodeTokens;

  @Option(names = "--repeats", defaultValue = "3", description = "Timed decode runs (cache rolled back between them). Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Option(names = "--prefill-tokens", defaultValue = "256", description = "Prompt length of the prefill figure. Default: ${DEFAULT-VALUE}.")
  int prefillTokens;

  @picocli.CommandLine.Mixin FiguresOutput output;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws java.io.IOException {
    weightsOption.apply();
    RuntimeBench.Settings settings = RuntimeBench.Settings.defaults().with(promptTokens, decodeTokens, repeats, prefillTokens);
    Path dir = model != null ? model : Cli.root().resolve("models/system2");
    if (model == null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no model at " + dir + " (the default, System 2); pass --model DIR to measure another one");
    }
    RuntimeBench.Figures figures = RuntimeBench.measure(dir, settings, line -> System.err.println("bench runtime: " + line));
    // a FAIL is a figure, not an error: the exit status stays 0 so scripts can collect every bench
    output.emit(() -> RuntimeBench.toJson(figures), RuntimeBench.toTable(figures));
    return 0;
  }
}
