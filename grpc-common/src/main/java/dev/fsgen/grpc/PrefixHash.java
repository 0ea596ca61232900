package dev.fsgen.grpc;

/**
 * The hash that names the cached start of a prefix (CachedPrefix.hash in the model protocol):
 * 64-bit FNV-1a over whole token ids, so client and server can each extend it one token at a time.
 */
public final class PrefixHash {
  /** The hash of no tokens. */
  public static final long EMPTY = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private PrefixHash() {}

  /** The hash of a prefix extended by {@code token}. */
  public static long next(long hash, int token) {
    return (hash ^ token) * PRIME;
  }

  /** The hash of {@code tokens[0, n)}. */
  public static long of(int[] tokens, int n) {
    long h = EMPTY;
    for (int i = 0; i < n; i++) h = next(h, tokens[i]);
    return h;
  }
}
