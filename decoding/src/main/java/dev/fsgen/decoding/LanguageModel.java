package dev.fsgen.decoding;

/**
 * The port every decoding strategy sees: a next-token model that keeps per-sequence state. It may
 * run in this process or behind a network call; strategies cannot tell and must not care.
 */
public interface LanguageModel {
  int vocabSize();

  /** The longest sequence (prompt plus generated tokens) the model accepts. */
  int contextLength();

  /** A new, empty sequence. Close it to free its cache. */
  Sequence newSequence();

  /** One sequence's state: the tokens appended so far and whatever cache the model keeps for them. */
  interface Sequence extends AutoCloseable {
    /** Appends tokens and returns the next-token logits after the last one: [vocab]. */
    float[] append(int[] tokens);

    /** Appends tokens and returns the next-token logits after each of them: [tokens.length][vocab]. */
    float[][] appendAll(int[] tokens);

    /** Forgets every token after the first {@code length}. */
    void rollback(int length);

    int length();

    @Override
    void close();
  }
}
