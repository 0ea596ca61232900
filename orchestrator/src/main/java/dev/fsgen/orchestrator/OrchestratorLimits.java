package dev.fsgen.orchestrator;

import dev.fsgen.decoding.Speculative;
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
 * @param deadlineMarginMs a call with a deadline is ended with DEADLINE_EXCEEDED this long before
 *     it, so that the status reaches the client before gRPC's own expiry resets the stream
 */
public record OrchestratorLimits(int maxPromptTokens, int maxTokens, int maxGamma, int maxConcurrent, int maxMessageBytes,
    int defaultMaxTokens, int defaultGamma, int deadlineMarginMs) {
  /** The default margin before a client's deadline at which the orchestrator ends the call itself. */
  public static final int DEFAULT_DEADLINE_MARGIN_MS = 20;
  public static final OrchestratorLimits DEFAULT = new OrchestratorLimits(4096, 4096, 16, 64, 4 << 20, 128,
      Speculative.DEFAULT_GAMMA);

  /** The limits with the default deadline margin. */
  public OrchestratorLimits(int maxPromptTokens, int maxTokens, int maxGamma, int maxConcurrent, int maxMessageBytes,
      int defaultMaxTokens, int defaultGamma) {
    this(maxPromptTokens, maxTokens, maxGamma, maxConcurrent, maxMessageBytes, defaultMaxTokens, defaultGamma, DEFAULT_DEADLINE_MARGIN_MS);
  }

  public OrchestratorLimits {
    if (deadlineMarginMs < 0 || deadlineMarginMs > 10_000) {
      throw new IllegalArgumentException("deadline margin must be in [0, 10000] ms, got " + deadlineMarginMs);
    }
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
