package dev.fsgen.study;

import java.util.List;

/**
 * What one method did on one pair and one prompt set: the counts every figure of the report is
 * computed from, and one record per generated token.
 *
 * @param scored tokens for which System 1's greedy choice on the same prefix is known
 * @param differing of those, tokens whose final choice differs from it
 * @param corrections tokens System 2 produced after rejecting a draft (speculative decoding)
 * @param rounds System 2 calls (for speculative decoding: draft-and-verify rounds)
 * @param system2Tokens generated tokens that System 2 produced (alone or combined with System 1)
 * @param correct arithmetic answers that match exactly (0 for text)
 * @param outputs the decoded output of each prompt (arithmetic only, for agreement with System 2)
 * @param correctByPrompt whether each prompt's answer matched exactly, in prompt order (arithmetic
 *     only; null in measurements saved before it was kept), for prompt-clustered intervals
 */
public record UnitResult(String pair, String small, String large, long smallParameters, long largeParameters,
    String domain, String method, int prompts, int tokens, int scored, int differing, int drafted, int accepted,
    int corrections, int rounds, int system2Tokens, int correct, double seconds, List<TokenRecord> records, List<String> outputs,
    boolean[] correctByPrompt) {

  /**
   * One generated token.
   *
   * @param position its index in the output, from 0
   * @param length the length of that output
   * @param intervened whether the final token differs from System 1's greedy choice on the same
   *     prefix (or, where that choice is unknown, whether System 2 corrected a draft)
   * @param topK System 1's sorted top-k probabilities, recorded by the oracle (else null)
   * @param piece the token's text, for the breakdown by token type (null in older measurements)
   * @param differsFromBase proxy tuning only: whether the final token differs from the base small
   *     model's greedy choice on the same prefix, the comparison FS-GEN's code counts (its
   *     {@code __proxy_finetune} compares with the base model's argmax); null where not measured
   */
  public record TokenRecord(int prompt, int position, int length, boolean intervened, double entropy, double top1,
      double margin, double[] topK, String piece, Boolean differsFromBase) {
    public boolean hasUncertainty() {
      return !Double.isNaN(entropy);
    }
  }

  public double ratio() {
    return (double) largeParameters / smallParameters;
  }

  /**
   * Collaboration frequency: the share of generated tokens whose final choice differs from System
   * 1's greedy choice on the same prefix. Every method scores every token, speculative decoding
   * included (System 1 scores a bonus token's position in its next draft call, or after the last
   * round), so under greedy decoding speculative decoding's CF equals the oracle's: both emit
   * System 2's greedy output. For proxy tuning System 1 is the tuned small model; FS-GEN's count,
   * against the base small model, is {@link Analysis#proxyBaseCf}.
   */
  public double collaborationFrequency() {
    return scored == 0 ? Double.NaN : (double) differing / scored;
  }

  /**
   * System 2's rejections per drafted token (speculative decoding). A round of γ drafted tokens has
   * at most one rejection, so this is capped at 1/γ (a little above where the output's end cuts a
   * round short): near the cap it measures the draft length more than the models.
   */
  public double rejectionsPerDraft() {
    return drafted == 0 ? Double.NaN : (double) corrections / drafted;
  }

  public double rejectionsPerRound() {
    return rounds == 0 ? Double.NaN : (double) corrections / rounds;
  }

  public double system2Share() {
    return tokens == 0 ? 0 : (double) system2Tokens / tokens;
  }

  public double accuracy() {
    return outputs == null || outputs.isEmpty() ? Double.NaN : (double) correct / prompts;
  }
}
