package dev.fsgen.grpc;

import java.util.Arrays;

/**
 * A sequence's token ids with the {@link PrefixHash} of every prefix of them, extended one token
 * at a time: what both ends of the model protocol keep to name, and to check, the cached start of
 * a prefix (CachedPrefix).
 */
public final class HashedTokens {
  private int[] tokens = new int[64];
  private long[] hashes = new long[65]; // [i] = PrefixHash of tokens[0, i), i <= length
  private int length;

  public HashedTokens() {
    hashes[0] = PrefixHash.EMPTY;
  }

  public int length() {
    return length;
  }

  /** Appends the first {@code count} of {@code added}. */
  public void append(int[] added, int count) {
    if (length + count > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(2 * tokens.length, length + count));
    if (length + count >= hashes.length) hashes = Arrays.copyOf(hashes, Math.max(2 * hashes.length, length + count + 1));
    for (int i = 0; i < count; i++) hashes[length + i + 1] = PrefixHash.next(hashes[length + i], added[i]);
    System.arraycopy(added, 0, tokens, length, count);
    length += count;
  }

  /** Keeps the first {@code newLength} tokens. */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) throw new IllegalArgumentException("rollback to " + newLength + " of " + length);
    length = newLength;
  }

  /** The hash of the first {@code n} tokens. */
  public long hash(int n) {
    if (n < 0 || n > length) throw new IllegalArgumentException("hash of " + n + " of " + length + " tokens");
    return hashes[n];
  }

  /** Length of the longest common prefix of these tokens and {@code other}. */
  public int commonPrefix(int[] other) {
    int n = Math.min(length, other.length);
    int i = 0;
    while (i < n && tokens[i] == other[i]) i++;
    return i;
  }

  /** tokens[from, length) followed by {@code then}. */
  public int[] from(int from, int[] then) {
    int[] out = Arrays.copyOfRange(tokens, from, length + then.length);
    System.arraycopy(then, 0, out, length - from, then.length);
    return out;
  }

  /**
   * The first {@code n} tokens followed by {@code rest}, if the first n hash to {@code hash}; null
   * if these tokens do not start so (fewer of them, or others).
   */
  public int[] startedBy(int n, long hash, int[] rest) {
    if (n > length || hashes[n] != hash) return null;
    int[] all = Arrays.copyOf(tokens, n + rest.length);
    System.arraycopy(rest, 0, all, n, rest.length);
    return all;
  }
}
