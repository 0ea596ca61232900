package dev.fsgen.service;

import dev.fsgen.decoding.LanguageModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.Arrays;

/**
 * A session's sequence that remembers its tokens, so the next request's prefix can be matched
 * against them. Only the four primitive operations are forwarded; draft and verify run the port's
 * default methods on top of them, exactly as they do in process.
 */
final class TrackedSequence implements LanguageModel.Sequence {
  private final LocalLanguageModel.LocalSequence inner;
  private int[] tokens = new int[16];
  private int length;

  TrackedSequence(LocalLanguageModel.LocalSequence inner) {
    this.inner = inner;
  }

  /** Length of the longest common prefix of this sequence's tokens and {@code prefix}. */
  int commonPrefix(int[] prefix) {
    int n = Math.min(length, prefix.length);
    int i = 0;
    while (i < n && tokens[i] == prefix[i]) i++;
    return i;
  }

  private void record(int[] added) {
    if (length + added.length > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + added.length));
    System.arraycopy(added, 0, tokens, length, added.length);
    length += added.length;
  }

  @Override
  public float[] append(int[] added) {
    float[] out = inner.append(added);
    record(added);
    return out;
  }

  @Override
  public float[][] appendAll(int[] added) {
    float[][] out = inner.appendAll(added);
    record(added);
    return out;
  }

  @Override
  public void rollback(int newLength) {
    inner.rollback(newLength);
    length = newLength;
  }

  @Override
  public int length() {
    return length;
  }

  long bytes() {
    return inner.bytes();
  }

  @Override
  public void close() {
    inner.close();
  }
}
