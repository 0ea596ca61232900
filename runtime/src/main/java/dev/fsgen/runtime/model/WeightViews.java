package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.TensorNames.*;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The inference weights as the Java decode path reads them: every matrix packed for its product
 * kernel ({@link PackedMatrix}, fp32 or bf16), small float[] copies of the norms and biases, and
 * a direct buffer over libtorch's own memory for the embedding rows (valid only while the
 * {@link FusedWeights} it views is open). Packing in bf16 rounds libtorch's weights in place to the
 * packed values, so both paths keep computing the same function.
 */
final class WeightViews {
  /**
   * @param qkv [(heads + 2·kv_heads)·head_dim, hidden], q rows pre-scaled where {@link #qScale} is 1
   * @param qkvBias [(heads + 2·kv_heads)·head_dim] or null
   * @param o [hidden, heads·head_dim]
   * @param gateUp [2·intermediate, hidden]
   * @param down [hidden, intermediate]
   */
  record Layer(float[] attnNorm, PackedMatrix qkv, float[] qkvBias, PackedMatrix o, float[] mlpNorm, PackedMatrix gateUp,
               PackedMatrix down) {}

  final List<Layer> layers;
  final EmbeddingRows embed; // [vocab, hidden]
  final PackedMatrix head; // [vocab, hidden]; packed from the embedding when tied
  final float[] finalNorm; // [hidden]
  /**
   * What the decoder multiplies q by after its product and bias: 1 where q's rows were packed
   * pre-scaled by 1/sqrt(head_dim) (libtorch's fused weights), the scale itself where they were
   * packed as stored, so that a bf16 checkpoint's q keeps its exact values (scaled and then
   * rounded again to bf16, they would not: the scale is no power of two for head_dim 32 or 128).
   */
  final float qScale;

  private WeightViews(List<Layer> layers, EmbeddingRows embed, PackedMatrix head, float[] finalNorm, float qScale) {
    this.layers = layers;
    this.embed = embed;
    this.head = head;
    this.finalNorm = finalNorm;
    this.qScale = qScale;
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
    int hidden = (int) f.embed().getShape().get(1);
    return new WeightViews(layers, EmbeddingRows.fp32(view(f.embed()), hidden), head, f.finalNorm().toFloatArray(), 1f);
  }

  /**
   * The same views read straight from a checkpoint's files ({@link Checkpoint#locate}): every
   * matrix streamed once into its packed form, the embedding mapped in place, nothing widened to
   * an fp32 copy. Fuses as {@link FusedWeights#of} does, but leaves q and its bias as stored: the
   * decoder scales q after the product ({@link #qScale}).
   */
  static WeightViews stored(LlamaConfig c, Map<String, StoredTensor> t, WeightFormat format) {
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      float[] bias = null;
      if (c.attentionBias()) {
        bias = concat(t.get(layer(i, Q_BIAS)).toFloats(), t.get(layer(i, K_BIAS)).toFloats(),
            t.get(layer(i, V_BIAS)).toFloats());
      }
      layers.add(new Layer(
          t.get(layer(i, ATTN_NORM)).toFloats(),
          pack(format, t.get(layer(i, Q)), t.get(layer(i, K)), t.get(layer(i, V))),
          bias,
          pack(format, t.get(layer(i, O))),
          t.get(layer(i, MLP_NORM)).toFloats(),
          pack(format, t.get(layer(i, GATE)), t.get(layer(i, UP))),
          pack(format, t.get(layer(i, DOWN)))));
    }
    StoredTensor embed = t.get(EMBED);
    PackedMatrix head = pack(format, c.tieWordEmbeddings() ? embed : t.get(LM_HEAD));
    boolean roundTied = c.tieWordEmbeddings() && format == WeightFormat.BF16;
    return new WeightViews(layers, EmbeddingRows.mapped(embed, roundTied), head, t.get(FINAL_NORM).toFloats(),
        (float) (1.0 / Math.sqrt(c.headDim())));
  }

  /** Packs the row-wise concatenation of {@code parts} [out_i, in]. */
  private static PackedMatrix pack(WeightFormat format, StoredTensor... parts) {
    int in = parts[0].cols();
    int[] ends = new int[parts.length];
    StoredTensor.Rows[] readers = new StoredTensor.Rows[parts.length];
    try {
      int out = 0;
      for (int p = 0; p < parts.length; p++) {
        out += parts[p].rows();
        ends[p] = out;
        readers[p] = parts[p].reader();
      }
      return PackedMatrix.pack((o, row) -> {
        int p = 0;
        while (o >= ends[p]) p++;
        readers[p].read(o - (p == 0 ? 0 : ends[p - 1]), row, 0);
      }, out, in, format);
    } finally {
      for (StoredTensor.Rows r : readers) if (r != null) r.close();
    }
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) n += p.length;
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
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
