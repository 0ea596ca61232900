package dev.fsgen.orchestrator;

/**
 * Every limit the orchestrator enforces, and the defaults of optional request fields.
 *
 * @param maxPromptTokens longest prompt (it must also leave room in the models' context)
 * @param maxTokens largest max_tokens
 * @param maxGamma largest draft length
 * @param maxConcurrent generations running at once; more get RESOURCE_EXHAUSTED at once
 * @param maxMessageBytes largest request message
 * @param defaultMaxTokens max_tokens when the request leaves it 0
 * @param defaultGamma gamma when the request leaves it 0
 */
public record OrchestratorLimits(int maxPromptTokens, int maxTokens, int maxGamma, int maxConcurrent, int maxMessageBytes,
    int defaultMaxTokens, int defaultGamma) {
  public static final OrchestratorLimits DEFAULT = new OrchestratorLimits(4096, 4096, 16, 64, 4 << 20, 128,
      dev.fsgen.decoding.Speculative.DEFAULT_GAMMA);

  public OrchestratorLimits {
    if (maxPromptTokens < 1 || maxTokens < 1 || maxGamma < 1 || maxConcurrent < 1 || maxMessageBytes < 1024) {
      throw new IllegalArgumentException("orchestrator limits must be positive (message bytes at least 1024)");
    }
    if (defaultMaxTokens < 1 || defaultMaxTokens > maxTokens) {
      throw new IllegalArgumentException("default max tokens must be in [1, " + maxTokens + "], got " + defaultMaxTokens);
    }
    if (defaultGamma < 1 || defaultGamma > maxGamma) {
      throw new IllegalArgumentException("default gamma must be in [1, " + maxGamma + "], got " + defaultGamma);
    }
  }
}
