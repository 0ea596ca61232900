package dev.fsgen.service;

import dev.fsgen.grpc.HashedTokens;
import dev.fsgen.runtime.port.LocalLanguageModel;

/**
 * A session's sequence that remembers its tokens, so the next request's prefix can be matched
 * against them. The engine appends to it in batched passes only; drafts and verifications are
 * built on those passes with the same {@link dev.fsgen.decoding.Drafter} and
 * {@link dev.fsgen.decoding.Verification#score} as in process.
 */
final class TrackedSequence {
  private final LocalLanguageModel.LocalSequence inner;
  private final HashedTokens tokens = new HashedTokens();

  TrackedSequence(LocalLanguageModel.LocalSequence inner) {
    this.inner = inner;
  }

  /** Length of the longest common prefix of this sequence's tokens and {@code prefix}. */
  int commonPrefix(int[] prefix) {
    return tokens.commonPrefix(prefix);
  }

  /**
   * The whole prefix of a request that sent only the tokens after a cached start: this sequence's
   * first {@code cached} tokens, if their hash is {@code hash}, then {@code rest}; null if this
   * sequence does not hold that start.
   */
  int[] expand(int cached, long hash, int[] rest) {
    return tokens.startedBy(cached, hash, rest);
  }

  private void record(int[] added) {
    tokens.append(added, added.length);
  }

  /**
   * Appends a block to each of several sequences of {@code model} in one pass: [sequence][t_i][vocab].
   * {@code stop[i]} is asked before block i starts and between the chunks of a long one; a stopped
   * block's entry is null, and its sequence, holding part of the block, must be dropped.
   */
  static float[][][] appendAllBatch(LocalLanguageModel model, TrackedSequence[] sequences, int[][] added,
      java.util.function.BooleanSupplier[] stop) {
    LocalLanguageModel.LocalSequence[] inner = new LocalLanguageModel.LocalSequence[sequences.length];
    for (int i = 0; i < inner.length; i++) inner[i] = sequences[i].inner;
    float[][][] out = model.appendAllBatch(inner, added, stop);
    for (int i = 0; i < sequences.length; i++) if (out[i] != null) sequences[i].record(added[i]);
    return out;
  }

  void rollback(int newLength) {
    inner.rollback(newLength);
    tokens.truncate(newLength);
  }

  int length() {
    return tokens.length();
  }

  long bytes() {
    return inner.bytes();
  }

  void close() {
    inner.close();
  }
}
