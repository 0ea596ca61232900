package dev.fsgen.cli;

import dev.fsgen.bench.LlamaCppComparison;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fsgen bench llamacpp}: llama.cpp's native tools on the same checkpoints, converted to GGUF. */
@Command(name = "llamacpp", mixinStandardHelpOptions = true,
    description = {"Run llama.cpp side by side on the same checkpoints.",
        "llama.cpp on the same System 1 and System 2, converted to GGUF: llama-bench decode and",
        "prefill tokens/s of System 2 (F16, F32) and System 1 (F16), llama-speculative-simple with System 1 drafting for",
        "System 2 (greedy), and whether llama.cpp's greedy text equals fsgen's. Needs the tools built by",
        "scripts/build-llama-cpp.sh (skipped with the reason otherwise). Progress goes to stderr."})
public final class BenchLlamaCppCommand implements Callable<Integer> {
  @Mixin PairOptions pair;

  @Option(names = "--threads", defaultValue = "2", description = "llama.cpp threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--decode-tokens", defaultValue = "128", description = "llama-bench tg and speculative tokens per prompt. Default: ${DEFAULT-VALUE}.")
  int decodeTokens;

  @Option(names = "--prefill-tokens", defaultValue = "64", description = "llama-bench pp prompt length. Default: ${DEFAULT-VALUE}.")
  int prefillTokens;

  @Option(names = "--repetitions", defaultValue = "3", description = "llama-bench repetitions. Default: ${DEFAULT-VALUE}.")
  int repetitions;

  @Option(names = "--prompts", defaultValue = "4", description = "Prompts for the speculative and greedy runs. Default: ${DEFAULT-VALUE}.")
  int prompts;

  @Option(names = "--greedy-tokens", defaultValue = "32", description = "Tokens of each greedy comparison. Default: ${DEFAULT-VALUE}.")
  int greedyTokens;

  @Option(names = "--draft", defaultValue = "4", description = "Draft length of the speculative run. Default: ${DEFAULT-VALUE}.")
  int draft;

  @Option(names = "--work-dir", description = "Where the GGUF files go. Default: <root>/work/llama.cpp/gguf.")
  Path workDir;

  @Mixin FiguresOutput output;

  @Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() throws Exception {
    weightsOption.apply(); // fsgen's timed System 2; the greedy comparison always loads it in fp32
    Path dir = workDir != null ? workDir : LlamaCppComparison.Settings.defaults(Cli.root()).workDir();
    LlamaCppComparison.Settings s = new LlamaCppComparison.Settings(pair.system1(), pair.system2(), dir, threads, decodeTokens,
        prefillTokens, repetitions, prompts, greedyTokens, draft);
    LlamaCppComparison c = LlamaCppComparison.measure(s, Cli.progress("bench"));
    output.emit(() -> LlamaCppComparison.toJson(c), LlamaCppComparison.toTable(c));
    return 0;
  }
}
