package dev.fsgen.cli;

import picocli.CommandLine.Option;

/** How the speculative benchmark runs: prompts, tokens, the longest draft length and repeats. */
final class SpeculativeRunOptions {
  @Option(names = "--prompts", defaultValue = "12", description = "Prompts from the fixed set. Default: ${DEFAULT-VALUE}.")
  int prompts;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens per single-stream generation. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--max-gamma", defaultValue = "8", description = "Longest fixed draft length measured. Default: ${DEFAULT-VALUE}.")
  int maxGamma;

  @Option(names = "--repeats", defaultValue = "2", description = "Interleaved runs of each configuration. Default: ${DEFAULT-VALUE}.")
  int repeats;
}
