package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference weights seen from Java without copying: direct buffers over libtorch's own memory
 * for the large matrices (each in its contiguous [out, in] orientation, so a matrix-vector
 * product reads every row sequentially), and small float[] copies of the norms and biases. The
 * buffers are valid only while the {@link FusedWeights} they view are open.
 */
final class WeightViews {
  /**
   * @param qkv [(heads + 2·kv_heads)·head_dim, hidden], q rows pre-scaled
   * @param qkvBias [(heads + 2·kv_heads)·head_dim] or null
   * @param o [hidden, heads·head_dim]
   * @param gateUp [2·intermediate, hidden]
   * @param down [hidden, intermediate]
   */
  record Layer(float[] attnNorm, ByteBuffer qkv, float[] qkvBias, ByteBuffer o, float[] mlpNorm, ByteBuffer gateUp,
               ByteBuffer down) {}

  final List<Layer> layers;
  final ByteBuffer embed; // [vocab, hidden]
  final ByteBuffer head; // [vocab, hidden]; the same memory as embed when tied
  final float[] finalNorm; // [hidden]

  private WeightViews(List<Layer> layers, ByteBuffer embed, ByteBuffer head, float[] finalNorm) {
    this.layers = layers;
    this.embed = embed;
    this.head = head;
    this.finalNorm = finalNorm;
  }

  static WeightViews of(FusedWeights f) {
    List<Layer> layers = new ArrayList<>();
    for (FusedWeights.Layer l : f.layers()) {
      layers.add(new Layer(
          l.attnNorm().toFloatArray(),
          rows(l.qkvT()),
          l.qkvBias() == null ? null : l.qkvBias().toFloatArray(),
          rows(l.oT()),
          l.mlpNorm().toFloatArray(),
          rows(l.gateUpT()),
          rows(l.downT())));
    }
    return new WeightViews(layers, view(f.embed()), rows(f.lmHeadT()), f.finalNorm().toFloatArray());
  }

  /** The [out, in] memory behind a transposed [in, out] view. */
  private static ByteBuffer rows(NDArray transposed) {
    try (NDArray t = transposed.transpose()) { // [out, in], contiguous: a view of the same storage
      return view(t);
    }
  }

  /**
   * A direct buffer over a contiguous fp32 array's memory. Closing {@code a} afterwards is safe
   * when another array still holds its storage (the buffer does not own it).
   */
  static ByteBuffer view(NDArray a) {
    ByteBuffer b = ((PtNDArray) a).toByteBuffer(true);
    if (!b.isDirect() || b.capacity() != a.size() * Float.BYTES) {
      throw new IllegalStateException("no direct view of " + a.getShape());
    }
    return b.order(ByteOrder.nativeOrder());
  }
}
