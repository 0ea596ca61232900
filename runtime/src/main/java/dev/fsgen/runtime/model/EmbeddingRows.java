package dev.fsgen.runtime.model;

import java.nio.ByteBuffer;

/**
 * The token embedding [vocab, hidden] as the Java decode path reads it: one row per token, widened
 * to fp32 on lookup. Either libtorch's fp32 memory or the checkpoint file itself, mapped in place
 * in its stored dtype (a decode step touches a handful of rows, so the table is never copied).
 */
final class EmbeddingRows {
  private final ByteBuffer data; // [vocab, hidden] in dtype
  private final String dtype;
  private final int hidden;
  private final boolean bf16; // rounds each value to bf16 on lookup

  private EmbeddingRows(ByteBuffer data, String dtype, int hidden, boolean bf16) {
    this.data = data;
    this.dtype = dtype;
    this.hidden = hidden;
    this.bf16 = bf16;
  }

  /** Over fp32 memory in native order (libtorch's). */
  static EmbeddingRows fp32(ByteBuffer data, int hidden) {
    return new EmbeddingRows(data, "F32", hidden, false);
  }

  /**
   * Over the checkpoint's tensor, mapped where it lies. With {@code bf16} each value is rounded to
   * bf16 as it is read: a tied embedding is also the output head, which the decode path holds in
   * bf16, and a model loaded through libtorch rounds the shared rows in place, so both loads give
   * the same function.
   */
  static EmbeddingRows mapped(StoredTensor t, boolean bf16) {
    return new EmbeddingRows(t.map(), t.dtype(), t.cols(), bf16 && !t.dtype().equals("BF16"));
  }

  /** Row {@code token} into {@code into[0, hidden)}. */
  void row(int token, float[] into) {
    StoredTensor.widen(data, dtype, (long) token * hidden, into, 0, hidden);
    if (bf16) for (int k = 0; k < hidden; k++) into[k] = Float.intBitsToFloat(PackedMatrix.toBf16(into[k]) << 16);
  }
}
