package dev.fsgen.cli;

import picocli.CommandLine.Option;

/** Prompt, length and sampling: the options every generating command shares. */
public final class SamplingOptions {
  @Option(names = {"-p", "--prompt"}, defaultValue = "The history of the city", description = "Prompt text. Default: '${DEFAULT-VALUE}'.")
  String prompt;

  @Option(names = "--max-tokens", defaultValue = "96", description = "Tokens to generate at most. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy. Default: ${DEFAULT-VALUE}.")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Sample from the k most likely tokens (0 = all). Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--top-p", defaultValue = "1", description = "Sample from the smallest set reaching this probability. Default: ${DEFAULT-VALUE}.")
  double topP;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for sampling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--ignore-eos", description = "Keep generating past the end-of-text token.")
  boolean ignoreEos;

  void checkLength() {
    if (maxTokens < 1) throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
  }
}
