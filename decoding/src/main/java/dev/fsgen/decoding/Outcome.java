package dev.fsgen.decoding;

/**
 * A finished generation and its statistics.
 *
 * @param tokens the generated tokens (the end-of-text token excluded)
 * @param producers who produced each token
 * @param scored tokens for which System 1's greedy choice on the same prefix is known
 * @param differing of those, the tokens whose final choice differs from System 1's greedy choice
 * @param drafted draft tokens proposed by System 1 (speculative decoding)
 * @param accepted draft tokens accepted by System 2
 * @param firstTokenNanos time from the start to the first decided token
 * @param uncertainty System 1's uncertainty at each output position where a strategy measured it,
 *     else null entries
 * @param system1Choices System 1's greedy choice at each output position, -1 where unknown
 */
public record Outcome(int[] tokens, Producer[] producers, Finish finish, int promptTokens, int system1Calls,
    int system2Calls, int drafted, int accepted, int scored, int differing, long firstTokenNanos, long totalNanos,
    Uncertainty[] uncertainty, int[] system1Choices) {

  public double acceptanceRate() {
    return drafted == 0 ? 0 : (double) accepted / drafted;
  }

  /**
   * Share of generated tokens whose final choice differs from System 1's greedy choice on the same
   * prefix (FS-GEN's collaboration frequency), or NaN where System 1 did not score every token.
   */
  public double collaborationFrequency() {
    if (tokens.length == 0) return 0;
    return scored < tokens.length ? Double.NaN : (double) differing / tokens.length;
  }

  public double system2TokenShare() {
    if (tokens.length == 0) return 0;
    int n = 0;
    for (Producer p : producers) if (p.bySystem2()) n++;
    return (double) n / tokens.length;
  }

  public double tokensPerSecond() {
    return tokens.length / Math.max(1e-9, totalNanos / 1e9);
  }
}
