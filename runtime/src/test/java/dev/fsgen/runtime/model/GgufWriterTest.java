package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF writer read back by an independent little reader, and the Llama export of the bundled System 1. */
class GgufWriterTest {
  @Test
  void headerMetadataAndAlignedTensorsReadBack(@TempDir Path dir) throws IOException {
    float[] matrix = {1, 2, 3, 4, 5, 6};
    float[] vector = {0.5f, -1.25f, 65504f, 1e-7f, 3.14159f};
    GgufWriter w = new GgufWriter()
        .putString("general.architecture", "llama")
        .putUint32("a.u32", 4_000_000_000L)
        .putInt32("a.i32", -7)
        .putUint64("a.u64", 1L << 40)
        .putFloat32("a.f32", 1e-5f)
        .putBool("a.bool", true)
        .putStrings("a.strings", List.of("Ġthe", "", "<|endoftext|>", "é"))
        .putInt32s("a.ints", new int[] {1, 3, 5})
        .putFloat32s("a.floats", new float[] {0.25f, -2f})
        .addTensor("m", new long[] {2, 3}, GgufWriter.TensorType.F32, matrix)
        .addTensor("v", new long[] {5}, GgufWriter.TensorType.F16, vector)
        .addTensor("b", new long[] {1, 5}, GgufWriter.TensorType.BF16, vector);
    Path file = dir.resolve("t.gguf");
    long bytes = w.write(file);
    assertEquals(Files.size(file), bytes);

    GgufTestReader r = new GgufTestReader(file);
    assertEquals(3, r.version);
    assertEquals("llama", r.metadata.get("general.architecture"));
    assertEquals(4_000_000_000L, r.metadata.get("a.u32"));
    assertEquals(4, r.metadataTypes.get("a.u32"));
    assertEquals(-7, r.metadata.get("a.i32"));
    assertEquals(1L << 40, r.metadata.get("a.u64"));
    assertEquals(1e-5f, r.metadata.get("a.f32"));
    assertEquals(true, r.metadata.get("a.bool"));
    assertEquals(List.of("Ġthe", "", "<|endoftext|>", "é"), r.metadata.get("a.strings"));
    assertEquals(List.of(1, 3, 5), r.metadata.get("a.ints"));
    assertEquals(List.of(0.25f, -2f), r.metadata.get("a.floats"));
    assertEquals(List.of("m", "v", "b"), List.copyOf(r.tensors.keySet()));

    assertArrayEquals(new long[] {3, 2}, r.tensors.get("m").dims(), "ggml order: innermost first");
    assertArrayEquals(new long[] {5, 1}, r.tensors.get("b").dims());
    assertEquals(0, r.tensors.get("m").type());
    assertEquals(1, r.tensors.get("v").type());
    assertEquals(30, r.tensors.get("b").type());
    assertEquals(0, r.dataStart % GgufWriter.ALIGNMENT);
    for (GgufTestReader.TensorInfo t : r.tensors.values()) assertEquals(0, t.offset() % GgufWriter.ALIGNMENT, t.name());
    assertEquals(0, r.tensors.get("m").offset());
    assertEquals(32, r.tensors.get("v").offset()); // 24 bytes of fp32, padded
    assertEquals(64, r.tensors.get("b").offset()); // 10 bytes of fp16, padded
    assertEquals(r.dataStart + 96, r.fileSize, "the last tensor is padded too");

    assertArrayEquals(matrix, r.values("m"));
    float[] half = r.values("v");
    for (int i = 0; i < vector.length; i++) assertEquals(vector[i], half[i], Math.abs(vector[i]) * 1e-3 + 1e-7, "f16 " + i);
    float[] bf = r.values("b");
    for (int i = 0; i < vector.length; i++) assertEquals(vector[i], bf[i], Math.abs(vector[i]) * 8e-3, "bf16 " + i);
  }

  @Test
  void rejectsWhatGgmlCannotHold() {
    GgufWriter w = new GgufWriter().putInt32("k", 1);
    assertThrows(IllegalArgumentException.class, () -> w.putInt32("k", 2));
    assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", new long[] {2, 2}, GgufWriter.TensorType.F32, new float[3]));
    assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), new long[] {1}, GgufWriter.TensorType.F32, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> w.addTensor("t5", new long[] {1, 1, 1, 1, 1}, GgufWriter.TensorType.F32, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> w.putUint32("neg", -1));
  }

  @Test
  void halfPrecisionRoundsToNearestEven() {
    for (int h = 0; h < 0x10000; h++) {
      int exp = (h >>> 10) & 0x1f;
      if (exp == 0x1f && (h & 0x3ff) != 0) continue; // NaN payloads
      assertEquals((short) h, GgufWriter.toHalf(GgufWriter.fromHalf((short) h)), "half " + Integer.toHexString(h));
    }
    assertEquals((short) 0x3c00, GgufWriter.toHalf(1f + 0x1p-11f), "tie goes to the even 1.0");
    assertEquals((short) 0x3c02, GgufWriter.toHalf(1f + 3 * 0x1p-11f), "tie goes to the even neighbour above");
    assertEquals((short) 0x3c01, GgufWriter.toHalf(1f + 0x1p-11f + 0x1p-20f), "above the tie rounds up");
    assertEquals((short) 0x7bff, GgufWriter.toHalf(65519f));
    assertEquals((short) 0x7c00, GgufWriter.toHalf(65520f), "overflow is infinity");
    assertEquals((short) 0x0001, GgufWriter.toHalf(0x1p-24f));
    assertEquals((short) 0x0000, GgufWriter.toHalf(0x1p-25f), "tie between 0 and the smallest subnormal goes to 0");
    assertEquals((short) 0x0001, GgufWriter.toHalf(1.5f * 0x1p-25f));
    assertEquals((short) 0x0400, GgufWriter.toHalf(0x1p-14f - 0x1p-26f), "a subnormal rounding up becomes the smallest normal");
    assertEquals((short) 0x8000, GgufWriter.toHalf(-0f));
    assertTrue(Float.isNaN(GgufWriter.fromHalf(GgufWriter.toHalf(Float.NaN))));
    assertEquals((short) 0x3f80, GgufWriter.toBfloat16(1f));
    assertEquals((short) 0x3f80, GgufWriter.toBfloat16(Float.intBitsToFloat(0x3f808000)), "bf16 tie to even");
    assertEquals((short) 0x3f82, GgufWriter.toBfloat16(Float.intBitsToFloat(0x3f818000)));
  }

  @Test
  void qkPermutationMatchesLlamaCppsReshape() {
    int heads = 2;
    int d = 4;
    int cols = 3;
    int rows = heads * d;
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) w[i] = i;
    float[] p = GgufExport.permuteRows(w, rows, cols, heads);
    // w.reshape(heads, 2, d/2, cols).swapaxes(1, 2).reshape(rows, cols): out[h][i][j] = w[h][j][i]
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < d / 2; i++) {
        for (int j = 0; j < 2; j++) {
          for (int c = 0; c < cols; c++) {
            assertEquals(w[((h * 2 + j) * (d / 2) + i) * cols + c], p[((h * (d / 2) + i) * 2 + j) * cols + c]);
          }
        }
      }
    }
    // row 1 of head 0 (first half, index 1) lands at row 2; row 2 (second half, index 0) at row 1
    assertEquals(w[cols], p[2 * cols]);
    assertEquals(w[2 * cols], p[cols]);
  }

  /** The bundled System 1 exported in F32 and F16: every key field and tensor as llama.cpp expects it. */
  @Test
  void bundledSystem1ExportsWithLlamaCppsNamesAndFields(@TempDir Path dir) throws IOException {
    Path model = Greedy.root().resolve("models/system1");
    LlamaConfig c = LlamaConfig.read(model);
    Path f32 = dir.resolve("s1-f32.gguf");
    Path f16 = dir.resolve("s1-f16.gguf");
    GgufExport.Summary s = GgufExport.write(model, f32, GgufWriter.TensorType.F32);
    GgufExport.write(model, f16, GgufWriter.TensorType.F16);
    assertEquals("gpt-2", s.preTokenizer().name());
    assertTrue(s.preTokenizer().exact(), s.preTokenizer().note());

    GgufTestReader r = new GgufTestReader(f32);
    Map<String, Object> m = r.metadata;
    assertEquals("llama", m.get("general.architecture"));
    assertEquals(0L, m.get("general.file_type"));
    assertEquals((long) c.maxPositionEmbeddings(), m.get("llama.context_length"));
    assertEquals((long) c.hiddenSize(), m.get("llama.embedding_length"));
    assertEquals((long) c.numLayers(), m.get("llama.block_count"));
    assertEquals((long) c.intermediateSize(), m.get("llama.feed_forward_length"));
    assertEquals((long) c.numHeads(), m.get("llama.attention.head_count"));
    assertEquals((long) c.numKvHeads(), m.get("llama.attention.head_count_kv"));
    assertEquals((long) c.headDim(), m.get("llama.rope.dimension_count"));
    assertEquals((long) c.headDim(), m.get("llama.attention.key_length"));
    assertEquals((float) c.rmsNormEps(), m.get("llama.attention.layer_norm_rms_epsilon"));
    assertEquals((float) c.ropeTheta(), m.get("llama.rope.freq_base"));
    assertEquals("gpt2", m.get("tokenizer.ggml.model"));
    assertEquals("gpt-2", m.get("tokenizer.ggml.pre"));
    List<?> tokens = (List<?>) m.get("tokenizer.ggml.tokens");
    List<?> types = (List<?>) m.get("tokenizer.ggml.token_type");
    assertEquals(c.vocabSize(), tokens.size());
    assertEquals(c.vocabSize(), types.size());
    assertEquals("<|endoftext|>", tokens.get(c.eosTokenId()));
    assertEquals(GgufExport.CONTROL, types.get(c.eosTokenId()));
    assertEquals(GgufExport.NORMAL, types.get(1));
    List<?> merges = (List<?>) m.get("tokenizer.ggml.merges");
    assertEquals("Ġ t", merges.get(0));
    assertEquals((long) c.eosTokenId(), m.get("tokenizer.ggml.eos_token_id"));
    assertEquals(false, m.get("tokenizer.ggml.add_bos_token"));

    assertEquals(2 + 9 * c.numLayers(), r.tensors.size(), "tied embeddings: no output.weight");
    assertFalse(r.tensors.containsKey("output.weight"));
    assertArrayEquals(new long[] {c.hiddenSize(), c.vocabSize()}, r.tensors.get("token_embd.weight").dims());
    assertArrayEquals(new long[] {c.hiddenSize(), c.qDim()}, r.tensors.get("blk.0.attn_q.weight").dims());
    assertArrayEquals(new long[] {c.hiddenSize(), c.kvDim()}, r.tensors.get("blk.2.attn_k.weight").dims());
    assertArrayEquals(new long[] {c.intermediateSize(), c.hiddenSize()}, r.tensors.get("blk.1.ffn_down.weight").dims());
    assertArrayEquals(new long[] {c.hiddenSize()}, r.tensors.get("output_norm.weight").dims());

    GgufTestReader h = new GgufTestReader(f16);
    assertEquals(1L, h.metadata.get("general.file_type"));
    assertEquals(1, h.tensors.get("blk.0.attn_q.weight").type());
    assertEquals(0, h.tensors.get("blk.0.attn_norm.weight").type(), "norms stay fp32");
    try (NDManager manager = LlamaModel.newManager()) {
      Map<String, NDArray> w = Checkpoint.loadWeights(model, c, manager);
      float[] q = w.get(TensorNames.layer(0, TensorNames.Q)).toFloatArray();
      float[] k = w.get(TensorNames.layer(2, TensorNames.K)).toFloatArray();
      assertArrayEquals(GgufExport.permuteRows(q, c.qDim(), c.hiddenSize(), c.numHeads()), r.values("blk.0.attn_q.weight"));
      assertArrayEquals(GgufExport.permuteRows(k, c.kvDim(), c.hiddenSize(), c.numKvHeads()), r.values("blk.2.attn_k.weight"));
      assertArrayEquals(w.get(TensorNames.layer(1, TensorNames.V)).toFloatArray(), r.values("blk.1.attn_v.weight"));
      assertArrayEquals(w.get(TensorNames.EMBED).toFloatArray(), r.values("token_embd.weight"));
      // F16 holds each value rounded to the nearest half
      for (String t : List.of("blk.0.attn_q.weight", "blk.1.ffn_gate.weight", "token_embd.weight")) {
        float[] full = r.values(t);
        float[] rounded = new float[full.length];
        for (int i = 0; i < full.length; i++) rounded[i] = GgufWriter.fromHalf(GgufWriter.toHalf(full[i]));
        assertArrayEquals(rounded, h.values(t), t);
      }
    }
  }
}
