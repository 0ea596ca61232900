package dev.fsgen.service;

import dev.fsgen.decoding.LanguageModel;
import dev.fsgen.grpc.PrefixHash;
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
  private long[] hashes = {PrefixHash.EMPTY}; // [i] = PrefixHash of tokens[0, i), i <= length
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

  /**
   * The whole prefix of a request that sent only the tokens after a cached start: this sequence's
   * first {@code cached} tokens, if their hash is {@code hash}, then {@code rest}; null if this
   * sequence does not hold that start.
   */
  int[] expand(int cached, long hash, int[] rest) {
    if (cached > length || hashes[cached] != hash) return null;
    int[] all = Arrays.copyOf(tokens, cached + rest.length);
    System.arraycopy(rest, 0, all, cached, rest.length);
    return all;
  }

  private void record(int[] added) {
    if (length + added.length > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + added.length));
    if (length + added.length >= hashes.length) hashes = Arrays.copyOf(hashes, Math.max(hashes.length * 2, length + added.length + 1));
    for (int i = 0; i < added.length; i++) hashes[length + i + 1] = PrefixHash.next(hashes[length + i], added[i]);
    System.arraycopy(added, 0, tokens, length, added.length);
    length += added.length;
  }

  @Override
  public float[] append(int[] added) {
    float[] out = inner.append(added);
    record(added);
    return out;
  }

  /** Appends a block to each of several sequences of {@code model} in one pass: [sequence][t_i][vocab]. */
  static float[][][] appendAllBatch(LocalLanguageModel model, TrackedSequence[] sequences, int[][] added) {
    LocalLanguageModel.LocalSequence[] inner = new LocalLanguageModel.LocalSequence[sequences.length];
    for (int i = 0; i < inner.length; i++) inner[i] = sequences[i].inner;
    float[][][] out = model.appendAllBatch(inner, added);
    for (int i = 0; i < sequences.length; i++) sequences[i].record(added[i]);
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
