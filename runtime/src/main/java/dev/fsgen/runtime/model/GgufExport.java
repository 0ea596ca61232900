package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face layout Llama checkpoint as one GGUF file that llama.cpp loads as
 * {@code general.architecture = llama}: the hyperparameters under {@code llama.*}, the byte-level
 * BPE tokenizer of {@code tokenizer.json} as llama.cpp's {@code gpt2} tokenizer, and the tensors
 * under llama.cpp's names.
 *
 * <p>Hugging Face's Llama rotates the two halves of each head ("rotate_half") while llama.cpp's
 * {@code llama} architecture rotates adjacent pairs, so the rows of the q and k projections are
 * permuted as llama.cpp's own converter does: {@code w.reshape(n_head, 2, head_dim/2, in)
 * .swapaxes(1, 2).reshape(out, in)}, with the key/value head count for k. One-dimensional tensors
 * (norms, biases) stay fp32 whatever the requested type, as llama.cpp's converter keeps them.
 */
public final class GgufExport {
  private GgufExport() {}

  /** What was written, and how the tokenizer's pre-tokenizer was mapped. */
  public record Summary(Path file, long bytes, int tensors, int vocabulary, GgufWriter.TensorType type, PreTokenizer preTokenizer) {}

  /**
   * llama.cpp's name for the pre-tokenizer ({@code tokenizer.ggml.pre}); {@code exact} when llama.cpp
   * splits text so that the tokens come out the same as with {@code tokenizer.json}.
   */
  public record PreTokenizer(String name, boolean exact, String note) {}

  /** GPT-2's split as Hugging Face writes it in a {@code Split} pre-tokenizer. */
  static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  /** fsgen's own tokenizer: GPT-2's split with one digit per piece (see the tokenizer module). */
  static final String SINGLE_DIGIT_REGEX = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  static final String LLAMA3_REGEX =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  static final String QWEN2_REGEX =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  // llama.cpp's token types (llama_token_type)
  static final int NORMAL = 1;
  static final int CONTROL = 3;
  static final int USER_DEFINED = 4;
  static final int UNUSED = 5;

  /** Reads {@code dir} (config, safetensors and tokenizer.json) and writes {@code out}. */
  public static Summary write(Path dir, Path out, GgufWriter.TensorType type) throws IOException {
    LlamaConfig config = LlamaConfig.read(dir);
    Path tokenizer = dir.resolve(Checkpoint.TOKENIZER);
    String name = dir.toAbsolutePath().normalize().getFileName().toString();
    try (NDManager manager = LlamaModel.newManager()) {
      Map<String, NDArray> weights = Checkpoint.loadWeights(dir, config, manager);
      return write(config, weights, tokenizer, name, out, type);
    }
  }

  /** Writes weights given under their Hugging Face names (fp32 or any float type DJL converts). */
  public static Summary write(LlamaConfig c, Map<String, NDArray> weights, Path tokenizerJson, String name, Path out,
      GgufWriter.TensorType type) throws IOException {
    if (!c.modelType().equals("llama") && !c.modelType().equals("mistral")) {
      throw new IllegalArgumentException("GGUF export writes llama.cpp's llama architecture; model_type '" + c.modelType()
          + "' is not supported (llama and mistral are)");
    }
    if (!c.ropeScaling().equals(RopeScaling.NONE)) {
      throw new IllegalArgumentException("GGUF export writes unscaled rotary positions; rope_scaling " + c.ropeScaling().type()
          + " is not supported");
    }
    if (c.slidingWindow() != 0 && c.slidingWindow() < c.maxPositionEmbeddings()) {
      // llama.cpp's llama architecture attends to the whole context: a window shorter than it would change the model
      throw new IllegalArgumentException("GGUF export writes full causal attention; sliding_window " + c.slidingWindow()
          + " is shorter than the context of " + c.maxPositionEmbeddings() + " and is not supported");
    }
    GgufWriter w = new GgufWriter();
    w.putString("general.architecture", "llama");
    w.putString("general.name", name);
    w.putUint32("general.file_type", switch (type) {
      case F32 -> 0; // LLAMA_FTYPE_ALL_F32
      case F16 -> 1; // LLAMA_FTYPE_MOSTLY_F16
      case BF16 -> 32; // LLAMA_FTYPE_MOSTLY_BF16
    });
    w.putUint32("general.alignment", GgufWriter.ALIGNMENT);
    Vocabulary vocab = Vocabulary.read(tokenizerJson, c.vocabSize());
    w.putUint32("llama.vocab_size", vocab.tokens.size());
    w.putUint32("llama.context_length", c.maxPositionEmbeddings());
    w.putUint32("llama.embedding_length", c.hiddenSize());
    w.putUint32("llama.block_count", c.numLayers());
    w.putUint32("llama.feed_forward_length", c.intermediateSize());
    w.putUint32("llama.attention.head_count", c.numHeads());
    w.putUint32("llama.attention.head_count_kv", c.numKvHeads());
    w.putUint32("llama.attention.key_length", c.headDim());
    w.putUint32("llama.attention.value_length", c.headDim());
    w.putFloat32("llama.attention.layer_norm_rms_epsilon", (float) c.rmsNormEps());
    w.putFloat32("llama.rope.freq_base", (float) c.ropeTheta());
    w.putUint32("llama.rope.dimension_count", c.headDim());

    w.putString("tokenizer.ggml.model", "gpt2");
    w.putString("tokenizer.ggml.pre", vocab.preTokenizer.name());
    w.putStrings("tokenizer.ggml.tokens", vocab.tokens);
    w.putInt32s("tokenizer.ggml.token_type", vocab.types);
    w.putStrings("tokenizer.ggml.merges", vocab.merges);
    w.putUint32("tokenizer.ggml.bos_token_id", c.bosTokenId());
    w.putUint32("tokenizer.ggml.eos_token_id", c.eosTokenId());
    // fsgen feeds prompts as they are: no BOS or EOS is added around them
    w.putBool("tokenizer.ggml.add_bos_token", false);
    w.putBool("tokenizer.ggml.add_eos_token", false);

    tensor(w, weights, TensorNames.EMBED, "token_embd.weight", type, 0);
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "blk." + i + ".";
      tensor(w, weights, TensorNames.layer(i, TensorNames.ATTN_NORM), b + "attn_norm.weight", type, 0);
      tensor(w, weights, TensorNames.layer(i, TensorNames.Q), b + "attn_q.weight", type, c.numHeads());
      tensor(w, weights, TensorNames.layer(i, TensorNames.K), b + "attn_k.weight", type, c.numKvHeads());
      tensor(w, weights, TensorNames.layer(i, TensorNames.V), b + "attn_v.weight", type, 0);
      if (c.attentionBias()) {
        tensor(w, weights, TensorNames.layer(i, TensorNames.Q_BIAS), b + "attn_q.bias", type, c.numHeads());
        tensor(w, weights, TensorNames.layer(i, TensorNames.K_BIAS), b + "attn_k.bias", type, c.numKvHeads());
        tensor(w, weights, TensorNames.layer(i, TensorNames.V_BIAS), b + "attn_v.bias", type, 0);
      }
      tensor(w, weights, TensorNames.layer(i, TensorNames.O), b + "attn_output.weight", type, 0);
      tensor(w, weights, TensorNames.layer(i, TensorNames.MLP_NORM), b + "ffn_norm.weight", type, 0);
      tensor(w, weights, TensorNames.layer(i, TensorNames.GATE), b + "ffn_gate.weight", type, 0);
      tensor(w, weights, TensorNames.layer(i, TensorNames.UP), b + "ffn_up.weight", type, 0);
      tensor(w, weights, TensorNames.layer(i, TensorNames.DOWN), b + "ffn_down.weight", type, 0);
    }
    tensor(w, weights, TensorNames.FINAL_NORM, "output_norm.weight", type, 0);
    if (!c.tieWordEmbeddings()) tensor(w, weights, TensorNames.LM_HEAD, "output.weight", type, 0);
    long bytes = w.write(out);
    return new Summary(out, bytes, w.tensorCount(), vocab.tokens.size(), type, vocab.preTokenizer);
  }

  /** One tensor; {@code permuteHeads} > 0 applies llama.cpp's q/k row order for that many heads. */
  private static void tensor(GgufWriter w, Map<String, NDArray> weights, String hfName, String ggufName,
      GgufWriter.TensorType type, int permuteHeads) {
    NDArray a = weights.get(hfName);
    if (a == null) throw new IllegalArgumentException("weights lack tensor '" + hfName + "'");
    long[] shape = a.getShape().getShape();
    GgufWriter.TensorType t = shape.length == 1 ? GgufWriter.TensorType.F32 : type;
    w.addTensor(ggufName, shape, t, () -> {
      float[] v = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      if (permuteHeads == 0) return v;
      int rows = (int) shape[0];
      return permuteRows(v, rows, shape.length == 1 ? 1 : (int) shape[1], permuteHeads);
    });
  }

  /**
   * llama.cpp's q/k permutation of a row-major [rows, cols] matrix (a bias is cols = 1): within each
   * of {@code heads} heads, row {@code j·(d/2) + i} moves to row {@code 2i + j}, d = rows / heads.
   */
  public static float[] permuteRows(float[] w, int rows, int cols, int heads) {
    if (rows % heads != 0 || (rows / heads) % 2 != 0) {
      throw new IllegalArgumentException(rows + " rows do not split into " + heads + " heads of even size");
    }
    int d = rows / heads;
    int half = d / 2;
    float[] out = new float[w.length];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        for (int j = 0; j < 2; j++) {
          int from = h * d + j * half + i;
          int to = h * d + 2 * i + j;
          System.arraycopy(w, from * cols, out, to * cols, cols);
        }
      }
    }
    return out;
  }

  /** The tokenizer in GGUF terms: tokens by id, their types, merges, and the pre-tokenizer's name. */
  static final class Vocabulary {
    final List<String> tokens;
    final int[] types;
    final List<String> merges;
    final PreTokenizer preTokenizer;

    private Vocabulary(List<String> tokens, int[] types, List<String> merges, PreTokenizer preTokenizer) {
      this.tokens = tokens;
      this.types = types;
      this.merges = merges;
      this.preTokenizer = preTokenizer;
    }

    /** Reads a byte-level BPE {@code tokenizer.json}; ids up to {@code minSize} without a token become unused pads. */
    static Vocabulary read(Path file, int minSize) throws IOException {
      JsonObject root;
      try {
        root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      } catch (RuntimeException e) {
        throw new IOException(file + ": not a tokenizer.json: " + e.getMessage(), e);
      }
      JsonObject model = root.getAsJsonObject("model");
      if (model == null || !"BPE".equals(str(model, "type"))) {
        throw new IllegalArgumentException(file + ": only byte-level BPE tokenizers convert to GGUF (model.type is "
            + (model == null ? "missing" : str(model, "type")) + ")");
      }
      JsonObject vocab = model.getAsJsonObject("vocab");
      int size = minSize;
      for (Map.Entry<String, JsonElement> e : vocab.entrySet()) size = Math.max(size, e.getValue().getAsInt() + 1);
      JsonArray added = root.has("added_tokens") && root.get("added_tokens").isJsonArray() ? root.getAsJsonArray("added_tokens") : new JsonArray();
      for (JsonElement e : added) size = Math.max(size, e.getAsJsonObject().get("id").getAsInt() + 1);
      String[] tokens = new String[size];
      int[] types = new int[size];
      for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
        int id = e.getValue().getAsInt();
        tokens[id] = e.getKey();
        types[id] = NORMAL;
      }
      for (JsonElement e : added) {
        JsonObject o = e.getAsJsonObject();
        int id = o.get("id").getAsInt();
        tokens[id] = o.get("content").getAsString();
        types[id] = o.has("special") && o.get("special").getAsBoolean() ? CONTROL : USER_DEFINED;
      }
      for (int i = 0; i < size; i++) {
        if (tokens[i] == null) {
          tokens[i] = "[PAD" + i + "]";
          types[i] = UNUSED;
        }
      }
      List<String> merges = new ArrayList<>();
      JsonArray m = model.has("merges") ? model.getAsJsonArray("merges") : new JsonArray();
      for (JsonElement e : m) {
        if (e.isJsonArray()) {
          merges.add(e.getAsJsonArray().get(0).getAsString() + " " + e.getAsJsonArray().get(1).getAsString());
        } else {
          merges.add(e.getAsString());
        }
      }
      List<String> list = Arrays.asList(tokens);
      return new Vocabulary(List.copyOf(list), types, merges, preTokenizer(root, list));
    }
  }

  /**
   * Chooses {@code tokenizer.ggml.pre}. GPT-2's byte-level split maps to llama.cpp's {@code gpt-2};
   * the same split with single digits (fsgen's) maps to {@code gpt-2} as well, which keeps runs of
   * digits together before BPE, and is exact as long as no token holds a digit after anything but
   * one leading space: then no merge can join two digits and both give the same tokens. Llama 3's
   * and Qwen2's splits map to theirs; anything else falls back to {@code gpt-2}, marked not exact.
   */
  static PreTokenizer preTokenizer(JsonObject root, List<String> tokens) {
    JsonElement n = root.get("normalizer");
    String normalizerNote = n == null || n.isJsonNull() ? "" : " (tokenizer.json also has a normalizer, which GGUF cannot carry)";
    boolean normalized = normalizerNote.isEmpty();
    JsonElement p = root.get("pre_tokenizer");
    String regex = null;
    if (p != null && p.isJsonObject()) {
      JsonObject o = p.getAsJsonObject();
      String type = str(o, "type");
      if ("ByteLevel".equals(type) && (!o.has("use_regex") || o.get("use_regex").getAsBoolean())) {
        regex = GPT2_REGEX;
      } else if ("Sequence".equals(type)) {
        JsonArray seq = o.getAsJsonArray("pretokenizers");
        if (seq != null && seq.size() == 2 && seq.get(0).isJsonObject() && seq.get(1).isJsonObject()) {
          JsonObject split = seq.get(0).getAsJsonObject();
          JsonObject byteLevel = seq.get(1).getAsJsonObject();
          boolean bytes = "ByteLevel".equals(str(byteLevel, "type"))
              && byteLevel.has("use_regex") && !byteLevel.get("use_regex").getAsBoolean();
          if ("Split".equals(str(split, "type")) && bytes && split.has("pattern")
              && split.getAsJsonObject("pattern").has("Regex")) {
            regex = split.getAsJsonObject("pattern").get("Regex").getAsString();
          }
        }
      }
    }
    if (GPT2_REGEX.equals(regex)) return new PreTokenizer("gpt-2", normalized, "GPT-2's split" + normalizerNote);
    if (LLAMA3_REGEX.equals(regex)) return new PreTokenizer("llama-bpe", normalized, "Llama 3's split" + normalizerNote);
    if (QWEN2_REGEX.equals(regex)) return new PreTokenizer("qwen2", normalized, "Qwen2's split" + normalizerNote);
    if (SINGLE_DIGIT_REGEX.equals(regex)) {
      String joined = null;
      for (String t : tokens) {
        if (t.chars().anyMatch(ch -> ch >= '0' && ch <= '9') && !t.matches("(\u0120)?[0-9]")) {
          joined = t;
          break;
        }
      }
      if (joined == null) {
        return new PreTokenizer("gpt-2", normalized, "GPT-2's split with single digits: llama.cpp has no such pre-tokenizer;"
            + " its gpt-2 keeps digit runs together, but no token of this vocabulary joins a digit to anything but one"
            + " leading space, so BPE splits the runs into the same tokens" + normalizerNote);
      }
      return new PreTokenizer("gpt-2", false, "GPT-2's split with single digits: llama.cpp's gpt-2 keeps digit runs together"
          + " and token '" + joined + "' can join digits, so numbers may tokenize differently" + normalizerNote);
    }
    return new PreTokenizer("gpt-2", false, "pre-tokenizer not recognised (" + (regex == null ? p : regex)
        + "); llama.cpp will split text as GPT-2 does");
  }

  private static String str(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
