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
 */
public record UnitResult(String pair, String small, String large, long smallParameters, long largeParameters,
    String domain, String method, int prompts, int tokens, int scored, int differing, int drafted, int accepted,
    int corrections, int rounds, int system2Tokens, int correct, double seconds, List<TokenRecord> records, List<String> outputs) {

  /**
   * One generated token.
   *
   * @param position its index in the output, from 0
   * @param length the length of that output
   * @param intervened whether the final token differs from System 1's greedy choice on the same
   *     prefix (or, where that choice is unknown, whether System 2 corrected a draft)
   * @param topK System 1's sorted top-k probabilities, recorded by the oracle (else null)
   */
  public record TokenRecord(int prompt, int position, int length, boolean intervened, double entropy, double top1,
      double margin, double[] topK) {
    public boolean hasUncertainty() {
      return !Double.isNaN(entropy);
    }
  }

  public double ratio() {
    return (double) largeParameters / smallParameters;
  }

  /**
   * Collaboration frequency: the share of generated tokens whose final choice differs from System
   * 1's greedy choice. Speculative decoding does not score its bonus tokens, so its figure is the
   * rejections per drafted token instead (see {@link #rejectionsPerDraft()}).
   */
  public double collaborationFrequency() {
    if (Method.SPECULATIVE.id.equals(method)) return rejectionsPerDraft();
    return scored == 0 ? Double.NaN : (double) differing / scored;
  }

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
