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
 * @param system1Choices System 1's greedy choice at each output position (under the request's
 *     penalties, as it would choose there), -1 where unknown
 * @param logprobs each token's log-probabilities where the request asked for them, else null
 */
public record Outcome(int[] tokens, Producer[] producers, Finish finish, int promptTokens, int system1Calls,
    int system2Calls, int drafted, int accepted, int scored, int differing, long firstTokenNanos, long totalNanos,
    Uncertainty[] uncertainty, int[] system1Choices, TokenLogprobs[] logprobs) {

  /**
   * This outcome with System 1's greedy choices filled in where they were unknown, from a scoring
   * made after the generation (System 2 alone: its collaboration frequency by the one definition).
   *
   * @param choices System 1's greedy choice at each output position, -1 where still unknown
   * @param calls the System 1 calls the scoring took
   */
  public Outcome withSystem1Choices(int[] choices, int calls) {
    if (choices.length != tokens.length) throw new IllegalArgumentException(choices.length + " choices for " + tokens.length + " tokens");
    int[] merged = system1Choices.clone();
    int nowScored = 0;
    int nowDiffering = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (merged[i] < 0) merged[i] = choices[i];
      if (merged[i] < 0) continue;
      nowScored++;
      if (merged[i] != tokens[i]) nowDiffering++;
    }
    return new Outcome(tokens, producers, finish, promptTokens, system1Calls + calls, system2Calls, drafted, accepted, nowScored,
        nowDiffering, firstTokenNanos, totalNanos, uncertainty, merged, logprobs);
  }

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
