package dev.fsgen.study;

import dev.fsgen.decoding.Scorer;

/**
 * The base small model's greedy choices along a proxy-tuned output. Proxy tuning's System 1 is the
 * tuned small model, but FS-GEN's code counts a collaboration where the combined choice differs
 * from the base small model's argmax; this scores the output with the base model (one call: every
 * position of prompt and output at once) so the study can count both.
 */
final class ProxyBase {
  private ProxyBase() {}

  /**
   * Per output position, whether the output's token differs from the base model's greedy choice on
   * the same prefix; null where the model did not score that position.
   */
  static Boolean[] differences(Scorer base, int[] prompt, int[] output) {
    Boolean[] out = new Boolean[output.length];
    if (output.length == 0) return out;
    // prompt and every output token but the last: the argmax after each is the choice for the next position
    int[] added = new int[prompt.length + output.length - 1];
    System.arraycopy(prompt, 0, added, 0, prompt.length);
    System.arraycopy(output, 0, added, prompt.length, output.length - 1);
    int[] after;
    try (Scorer.Session s = base.openScoring()) {
      after = s.argmaxAfterEach(added); // [added.length]
    }
    for (int i = 0; i < output.length; i++) {
      int choice = after[prompt.length - 1 + i];
      out[i] = choice < 0 ? null : choice != output[i];
    }
    return out;
  }
}
