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
   * @param qkv [(heads + 2·kv_heads)·head_dim, hidden], q rows pre-scaled
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

  private WeightViews(List<Layer> layers, EmbeddingRows embed, PackedMatrix head, float[] finalNorm) {
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
    int hidden = (int) f.embed().getShape().get(1);
    return new WeightViews(layers, EmbeddingRows.fp32(view(f.embed()), hidden), head, f.finalNorm().toFloatArray());
  }

  /**
   * The same views read straight from a checkpoint's files ({@link Checkpoint#locate}): every
   * matrix streamed once into its packed form, the embedding mapped in place, nothing widened to
   * an fp32 copy. Fuses and scales exactly as {@link FusedWeights#of} does (q and its bias times
   * 1/sqrt(head_dim) in fp32, then rounded), so both loads give the same packed values.
   */
  static WeightViews stored(LlamaConfig c, Map<String, StoredTensor> t, WeightFormat format) {
    float scale = (float) (1.0 / Math.sqrt(c.headDim()));
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      float[] bias = null;
      if (c.attentionBias()) {
        bias = concat(scaled(t.get(layer(i, Q_BIAS)).toFloats(), scale), t.get(layer(i, K_BIAS)).toFloats(),
            t.get(layer(i, V_BIAS)).toFloats());
      }
      layers.add(new Layer(
          t.get(layer(i, ATTN_NORM)).toFloats(),
          pack(format, new float[] {scale, 1f, 1f}, t.get(layer(i, Q)), t.get(layer(i, K)), t.get(layer(i, V))),
          bias,
          pack(format, new float[] {1f}, t.get(layer(i, O))),
          t.get(layer(i, MLP_NORM)).toFloats(),
          pack(format, new float[] {1f, 1f}, t.get(layer(i, GATE)), t.get(layer(i, UP))),
          pack(format, new float[] {1f}, t.get(layer(i, DOWN)))));
    }
    StoredTensor embed = t.get(EMBED);
    PackedMatrix head = pack(format, new float[] {1f}, c.tieWordEmbeddings() ? embed : t.get(LM_HEAD));
    boolean roundTied = c.tieWordEmbeddings() && format == WeightFormat.BF16;
    return new WeightViews(layers, EmbeddingRows.mapped(embed, roundTied), head, t.get(FINAL_NORM).toFloats());
  }

  /** Packs the row-wise concatenation of {@code parts} [out_i, in], part i times {@code scales[i]}. */
  private static PackedMatrix pack(WeightFormat format, float[] scales, StoredTensor... parts) {
    int in = parts[0].cols();
    int[] ends = new int[parts.length];
    StoredTensor.Rows[] readers = new StoredTensor.Rows[parts.length];
    try {
      int out = 0;
      for (int p = 0; p < parts.length; p++) {
        out += parts[p].rows();
        ends[p] = out;
        readers[p] = parts[p].rows(scales[p]);
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

  private static float[] scaled(float[] v, float s) {
    for (int i = 0; i < v.length; i++) v[i] *= s;
    return v;
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
