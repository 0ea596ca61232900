package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * System 2's scores over a draft: one row per position, after the context and after each draft
 * token.
 *
 * @param argmax the most likely token at each position, after the penalties: [gamma + 1]
 * @param distributions the next-token distribution at each position under the sampling parameters,
 *     [gamma + 1][vocab]; null for greedy decoding, which needs only the argmax
 * @param logprobs greedy verifications asked for them: at each position the temperature-1
 *     log-probabilities ({@link Logprobs}) of the most likely tokens, the draft token and the
 *     argmax, [gamma + 1]; else null (a sampled verification's distributions hold them all)
 */
public record Verification(int[] argmax, float[][] distributions, PositionLogprobs[] logprobs) {
  public Verification {
    if (argmax.length == 0) throw new IllegalArgumentException("a verification scores at least one position");
    if (distributions != null && distributions.length != argmax.length) {
      throw new IllegalArgumentException("distributions for " + distributions.length + " positions, argmax for " + argmax.length);
    }
    if (logprobs != null && logprobs.length != argmax.length) {
      throw new IllegalArgumentException("log-probabilities for " + logprobs.length + " positions, argmax for " + argmax.length);
    }
  }

  public Verification(int[] argmax, float[][] distributions) {
    this(argmax, distributions, null);
  }

  /**
   * The verification from the logits of a context followed by a draft.
   *
   * @param rows logits after each appended token, the context's uncached tokens then the draft:
   *     [appended][vocab], after the last rows.length tokens of {@code sequence}
   * @param sequence the whole sequence, draft included, which the penalties count: [length]
   * @param topLogprobs greedy: how many most likely tokens to report at each position beside the
   *     draft token and the argmax; negative = no log-probabilities
   */
  public static Verification score(float[][] rows, int[] sequence, int draftLength, SamplingParams params, int topLogprobs) {
    int first = rows.length - draftLength - 1; // the row after the context's last token
    int offset = sequence.length - rows.length; // sequence position of rows[0]'s token
    TokenCounts counts = TokenCounts.of(params, sequence, offset + first + 1);
    int[] argmax = new int[draftLength + 1];
    float[][] distributions = params.greedy() ? null : new float[draftLength + 1][];
    PositionLogprobs[] logprobs = params.greedy() && topLogprobs >= 0 ? new PositionLogprobs[draftLength + 1] : null;
    for (int i = 0; i <= draftLength; i++) {
      if (counts != null && i > 0) counts.add(sequence[offset + first + i]);
      float[] logits = TokenCounts.apply(counts, rows[first + i]);
      argmax[i] = Sampler.argmax(logits);
      if (distributions != null) distributions[i] = Sampler.probabilities(logits, params);
      if (logprobs != null) {
        float[] lp = Logprobs.ofLogits(logits, params);
        logprobs[i] = i < draftLength
            ? PositionLogprobs.of(lp, topLogprobs, sequence[offset + first + i + 1], argmax[i])
            : PositionLogprobs.of(lp, topLogprobs, argmax[i]);
      }
    }
    return new Verification(argmax, distributions, logprobs);
  }

  /** A context and a draft as one sequence: [context + draft]. */
  public static int[] concat(int[] context, int[] draft) {
    int[] all = Arrays.copyOf(context, context.length + draft.length);
    System.arraycopy(draft, 0, all, context.length, draft.length);
    return all;
  }

  public int positions() {
    return argmax.length;
  }
}
