package dev.fsgen.cli;

import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.SamplingParams;
import picocli.CommandLine.Option;

/** Prompt, length and sampling: the options every generating command shares. */
public final class SamplingOptions {
  @Option(names = {"-p", "--prompt"}, defaultValue = "The history of the city", description = "Prompt text. Default: '${DEFAULT-VALUE}'.")
  String prompt;

  @Option(names = "--max-tokens", defaultValue = "96", description = "Tokens to generate at most. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  // unset unless given: without any of them the model's generation_config.json decides
  @Option(names = "--temperature", description = "0 = greedy. Default: 0 when another sampling option is given, else the checkpoint's (its generation_config.json: greedy for fsgen's models).")
  Double temperature;

  @Option(names = "--top-k", description = "Sample from the k most likely tokens (0 = all). Default: 0 when another sampling option is given, else the checkpoint's.")
  Integer topK;

  @Option(names = "--top-p", description = "Sample from the smallest set reaching this probability. Default: 1 when another sampling option is given, else the checkpoint's.")
  Double topP;

  @Option(names = "--repetition-penalty", description = "Divide positive (multiply negative) logits of tokens already in the text, prompt included (1 = none). Given, it makes the sampling the options' own, as the options above do.")
  Double repetitionPenalty;

  @Option(names = "--presence-penalty", description = "Subtract from the logit of every token the output holds, in [-2, 2] (0 = none).")
  Double presencePenalty;

  @Option(names = "--frequency-penalty", description = "Subtract per occurrence in the output, in [-2, 2] (0 = none).")
  Double frequencyPenalty;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for sampling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--ignore-eos", description = "Keep generating past the end-of-text tokens.")
  boolean ignoreEos;

  /**
   * The sampling the options give, or null when they give none (then the checkpoint's defaults
   * apply). Given ones replace the checkpoint's entirely, as a request's sampling does: an option
   * left out takes its own default (temperature 0, greedy; top-k 0; top-p 1).
   */
  SamplingParams given() {
    if (!samplingGiven()) return null;
    return new SamplingParams(temperature == null ? 0 : temperature, topK == null ? 0 : topK, topP == null ? 1 : topP, penalties());
  }

  /** The penalties given (none where left out); checked here, so a bad one is refused before anything starts. */
  Penalties penalties() {
    try {
      return new Penalties(repetitionPenalty == null ? 1 : repetitionPenalty, presencePenalty == null ? 0 : presencePenalty,
          frequencyPenalty == null ? 0 : frequencyPenalty, 0);
    } catch (IllegalArgumentException e) {
      // "presence must be ..." names the option it came from
      throw new IllegalArgumentException("--" + e.getMessage().replaceFirst("^(\\w+) ", "$1-penalty "), e);
    }
  }

  boolean samplingGiven() {
    return temperature != null || topK != null || topP != null || repetitionPenalty != null || presencePenalty != null
        || frequencyPenalty != null;
  }

  void checkLength() {
    if (maxTokens < 1) throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
  }
}
