package dev.fsgen.decoding;

/**
 * A sequence of a model in this process with its cache (a KV cache, or none): the primitive an
 * engine offers, on which {@link InProcessModel} builds every role.
 */
public interface CachedSequence extends AutoCloseable {
  /** Appends tokens and returns the next-token logits after each of them: [tokens.length][vocab]. */
  float[][] appendAll(int[] tokens);

  /** Appends tokens and returns the next-token logits after the last one: [vocab]. */
  default float[] append(int[] tokens) {
    float[][] rows = appendAll(tokens);
    return rows[rows.length - 1];
  }

  /** Forgets every token after the first {@code length}. */
  void rollback(int length);

  int length();

  @Override
  void close();
}
