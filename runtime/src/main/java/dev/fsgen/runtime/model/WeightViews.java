package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The inference weights as the Java decode path reads them: every matrix packed for its product
 * kernel ({@link PackedMatrix}, fp32 or bf16), small float[] copies of the norms and biases, and
 * a direct buffer over libtorch's own memory for the embedding rows (valid only while the
 * {@link FusedWeights} it views is open). Packing in bf16 rounds libtorch's weights in place to the
 * packed values, so both paths keep computing the same function.
 */
final class WeightViews {
  /**
   * @param qkv [(heads + 2·kv_heads)·head_dim, hidden], q rows pre-scaled
   * @param qkvBias [(heads + 2·kv_heads)·head_dim] or null
   * @param o [hidden, heads·head_dim]
   * @param gateUp [2·intermediate, hidden]
   * @param down [hidden, intermediate]
   */
  record Layer(float[] attnNorm, PackedMatrix qkv, float[] qkvBias, PackedMatrix o, float[] mlpNorm, PackedMatrix gateUp,
               PackedMatrix down) {}

  final List<Layer> layers;
  final ByteBuffer embed; // [vocab, hidden]
  final PackedMatrix head; // [vocab, hidden]; packed from the embedding when tied
  final float[] finalNorm; // [hidden]

  private WeightViews(List<Layer> layers, ByteBuffer embed, PackedMatrix head, float[] finalNorm) {
    this.layers = layers;
    this.embed = embed;
    this.head = head;
    this.finalNorm = finalNorm;
  }

  static WeightViews of(FusedWeights f, WeightFormat format) {
    List<Layer> layers = new ArrayList<>();
    for (FusedWeights.Layer l : f.layers()) {
      layers.add(new Layer(
          l.attnNorm().toFloatArray(),
          pack(l.qkvT(), format),
          l.qkvBias() == null ? null : l.qkvBias().toFloatArray(),
          pack(l.oT(), format),
          l.mlpNorm().toFloatArray(),
          pack(l.gateUpT(), format),
          pack(l.downT(), format)));
    }
    PackedMatrix head = pack(f.lmHeadT(), format); // before the embedding is viewed: tied, it rounds those rows too
    return new WeightViews(layers, view(f.embed()), head, f.finalNorm().toFloatArray());
  }

  /** Every matrix a decode pass multiplies by, once each: the layers' four, then the output head. */
  List<PackedMatrix> matrices() {
    List<PackedMatrix> all = new ArrayList<>();
    for (Layer l : layers) all.addAll(List.of(l.qkv, l.o, l.gateUp, l.down));
    all.add(head);
    return all;
  }

  /** Bytes of packed weights a decode step reads (every matrix once). */
  long packedBytes() {
    return matrices().stream().mapToLong(PackedMatrix::bytes).sum();
  }

  /** Packs the [out, in] memory behind a transposed [in, out] view. */
  private static PackedMatrix pack(NDArray transposed, WeightFormat format) {
    try (NDArray t = transposed.transpose()) { // [out, in], contiguous: a view of the same storage
      long[] shape = t.getShape().getShape();
      return PackedMatrix.pack(view(t), (int) shape[0], (int) shape[1], format);
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
