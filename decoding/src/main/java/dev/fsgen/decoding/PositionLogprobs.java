package dev.fsgen.decoding;

import java.util.Arrays;

/**
 * The log-probabilities a model reports at one position without sending the whole vocabulary: the
 * {@code top} most likely tokens, most likely first, then the other tokens the caller may choose
 * there (a draft token, the argmax) where they are not among them.
 *
 * @param ids [top + extra]
 * @param logprobs [ids.length]
 * @param top how many leading entries are the most likely tokens
 */
public record PositionLogprobs(int[] ids, float[] logprobs, int top) {
  public PositionLogprobs {
    if (ids.length != logprobs.length || top < 0 || top > ids.length) {
      throw new IllegalArgumentException("position log-probabilities: " + ids.length + " ids, " + logprobs.length
          + " values, top " + top);
    }
  }

  /**
   * From a full vector of log-probabilities: the {@code top} most likely tokens (fewer where fewer
   * have probability above zero), then each of {@code also} not already listed.
   *
   * @param logprobs [vocab]
   */
  public static PositionLogprobs of(float[] logprobs, int top, int... also) {
    int[] best = Logprobs.mostLikely(logprobs, top);
    int[] ids = Arrays.copyOf(best, best.length + also.length);
    int n = best.length;
    for (int id : also) {
      boolean listed = false;
      for (int i = 0; i < n && !listed; i++) listed = ids[i] == id;
      if (!listed) ids[n++] = id;
    }
    ids = Arrays.copyOf(ids, n);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) values[i] = logprobs[ids[i]];
    return new PositionLogprobs(ids, values, best.length);
  }

  /** What token {@code id} reports here, with at most {@code top} alternatives. */
  public TokenLogprobs forToken(int id, int top) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == id) {
        int k = Math.min(top, this.top);
        return new TokenLogprobs(id, logprobs[i], Arrays.copyOf(ids, k), Arrays.copyOf(logprobs, k));
      }
    }
    throw new IllegalArgumentException("token " + id + " was not scored at this position");
  }
}
