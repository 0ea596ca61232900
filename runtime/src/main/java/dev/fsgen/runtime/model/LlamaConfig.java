package dev.fsgen.runtime.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture of a Llama-family decoder, as Hugging Face's {@code config.json} spells it.
 * Qwen2 checkpoints differ only by biases on the q/k/v projections ({@code attentionBias}), Mistral
 * ones only by a sliding attention window.
 *
 * @param ropeScaling how the rotary frequencies are stretched ({@link RopeScaling#NONE} when not)
 * @param slidingWindow how many positions a query sees, its own included (Mistral's
 *     {@code sliding_window}); 0 for full causal attention
 */
public record LlamaConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    int bosTokenId,
    int eosTokenId,
    RopeScaling ropeScaling,
    int slidingWindow) {

  public static final String FILE = "config.json";
  private static final Set<String> TYPES = Set.of("llama", "qwen2", "mistral");

  public LlamaConfig {
    require(TYPES.contains(modelType), "model_type", "'" + modelType + "' is not supported; supported: " + TYPES);
    require(vocabSize > 0, "vocab_size", "must be positive, got " + vocabSize);
    require(hiddenSize > 0, "hidden_size", "must be positive, got " + hiddenSize);
    require(intermediateSize > 0, "intermediate_size", "must be positive, got " + intermediateSize);
    require(numLayers > 0, "num_hidden_layers", "must be positive, got " + numLayers);
    require(numHeads > 0, "num_attention_heads", "must be positive, got " + numHeads);
    require(numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads",
        numKvHeads + " must divide num_attention_heads " + numHeads);
    require(headDim > 0 && headDim % 2 == 0, "head_dim", "must be positive and even (rotary pairs), got " + headDim);
    require(maxPositionEmbeddings > 0, "max_position_embeddings", "must be positive, got " + maxPositionEmbeddings);
    require(rmsNormEps > 0, "rms_norm_eps", "must be positive, got " + rmsNormEps);
    require(ropeTheta > 0, "rope_theta", "must be positive, got " + ropeTheta);
    require(eosTokenId >= 0 && eosTokenId < vocabSize, "eos_token_id", eosTokenId + " outside vocabulary of " + vocabSize);
    require(slidingWindow >= 0, "sliding_window", "must be positive (or null for none), got " + slidingWindow);
    if (ropeScaling == null) ropeScaling = RopeScaling.NONE;
  }

  /** A config with full causal attention (no sliding window). */
  public LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
      int headDim, int maxPositionEmbeddings, double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings, boolean attentionBias,
      int bosTokenId, int eosTokenId, RopeScaling ropeScaling) {
    this(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, maxPositionEmbeddings, rmsNormEps,
        ropeTheta, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenId, ropeScaling, 0);
  }

  /** A config without rotary scaling (every model of fsgen's own family). */
  public LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
      int headDim, int maxPositionEmbeddings, double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings, boolean attentionBias,
      int bosTokenId, int eosTokenId) {
    this(modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, maxPositionEmbeddings, rmsNormEps,
        ropeTheta, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenId, RopeScaling.NONE);
  }

  private static void require(boolean ok, String field, String detail) {
    if (!ok) throw new IllegalArgumentException("config field '" + field + "': " + detail);
  }

  /** A plain Llama config whose head size is hidden / heads, as Jlama and most checkpoints assume. */
  public static LlamaConfig llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int context) {
    return new LlamaConfig("llama", vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads, context,
        1e-5, 10000.0, true, false, 0, 0);
  }

  public int qDim() { return numHeads * headDim; }

  public int kvDim() { return numKvHeads * headDim; }

  /**
   * Rotary frequency of pair {@code i} of a head, as Hugging Face computes it: theta^(-2i/d), then
   * scaled as {@code rope_scaling} says. One expression for every decode path, so that they rotate
   * by identical floats.
   */
  public double ropeInverseFrequency(int i) {
    return ropeScaling.apply(1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim));
  }

  /**
   * The first key position a query at {@code position} attends to. Hugging Face's sliding window
   * ({@code masking_utils.sliding_window_overlay}) lets query i see key j when
   * {@code i - sliding_window < j <= i}: the window counts the query's own position.
   */
  public int firstVisible(int position) {
    return slidingWindow == 0 ? 0 : Math.max(0, position - slidingWindow + 1);
  }

  /** Parameter count including the output projection only when it is not tied. */
  public long parameterCount() {
    long attn = (long) hiddenSize * (qDim() + 2L * kvDim()) + (long) qDim() * hiddenSize
        + (attentionBias ? qDim() + 2L * kvDim() : 0);
    long mlp = 3L * hiddenSize * intermediateSize;
    long layer = attn + mlp + 2L * hiddenSize;
    long embed = (long) vocabSize * hiddenSize;
    return numLayers * layer + embed + hiddenSize + (tieWordEmbeddings ? 0 : embed);
  }

  public static LlamaConfig read(Path dir) {
    Path file = dir.resolve(FILE);
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file, "missing: a model directory needs config.json, model.safetensors and tokenizer.json");
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file, "not a readable JSON object: " + e.getMessage(), e);
    }
    try {
      return fromJson(o);
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
  }

  static LlamaConfig fromJson(JsonObject o) {
    String type = string(o, "model_type", null);
    String act = string(o, "hidden_act", "silu");
    if (!act.equals("silu")) throw new IllegalArgumentException("config field 'hidden_act': '" + act + "' is not supported (only silu)");
    int hidden = integer(o, "hidden_size", null);
    int heads = integer(o, "num_attention_heads", null);
    boolean qwen = "qwen2".equals(type);
    return new LlamaConfig(
        type,
        integer(o, "vocab_size", null),
        hidden,
        integer(o, "intermediate_size", null),
        integer(o, "num_hidden_layers", null),
        heads,
        integer(o, "num_key_value_heads", heads),
        integer(o, "head_dim", heads > 0 ? hidden / heads : 0),
        integer(o, "max_position_embeddings", null),
        number(o, "rms_norm_eps", 1e-6),
        number(o, "rope_theta", 10000.0),
        bool(o, "tie_word_embeddings", false),
        qwen || bool(o, "attention_bias", false),
        tokenId(o, "bos_token_id", 0),
        tokenId(o, "eos_token_id", 0),
        RopeScaling.fromJson(o.get("rope_scaling")),
        slidingWindow(o, type));
  }

  /**
   * The attention window: Mistral's {@code sliding_window} (null or absent: full attention). Qwen2
   * configs carry one too, used only with {@code use_sliding_window: true}, and then only on the
   * layers from {@code max_window_layers} on; published Qwen2.5 checkpoints say false, and true is
   * refused rather than half-implemented. Llama has no window.
   */
  private static int slidingWindow(JsonObject o, String type) {
    if ("qwen2".equals(type)) {
      if (bool(o, "use_sliding_window", false)) {
        throw new IllegalArgumentException("config field 'use_sliding_window': true is not supported (Qwen2's per-layer window"
            + " from max_window_layers on); only full attention (false) is");
      }
      return 0;
    }
    if (!"mistral".equals(type)) return 0;
    if (field(o, "sliding_window") == null) return 0;
    int window = integer(o, "sliding_window", null);
    if (window <= 0) throw new IllegalArgumentException("config field 'sliding_window' must be positive or null, got " + window);
    return window;
  }

  public void write(Path dir) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", new String[] {switch (modelType) {
      case "qwen2" -> "Qwen2ForCausalLM";
      case "mistral" -> "MistralForCausalLM";
      default -> "LlamaForCausalLM";
    }});
    m.put("model_type", modelType);
    m.put("vocab_size", vocabSize);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("num_hidden_layers", numLayers);
    m.put("num_attention_heads", numHeads);
    m.put("num_key_value_heads", numKvHeads);
    m.put("head_dim", headDim);
    m.put("max_position_embeddings", maxPositionEmbeddings);
    m.put("rms_norm_eps", rmsNormEps);
    m.put("rope_theta", ropeTheta);
    m.put("rope_scaling", ropeScaling.toJson());
    if (modelType.equals("mistral")) m.put("sliding_window", slidingWindow == 0 ? null : slidingWindow);
    m.put("hidden_act", "silu");
    m.put("tie_word_embeddings", tieWordEmbeddings);
    m.put("attention_bias", attentionBias);
    m.put("bos_token_id", bosTokenId);
    m.put("eos_token_id", eosTokenId);
    m.put("torch_dtype", "float32");
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    Files.writeString(dir.resolve(FILE), gson.toJson(m) + "\n");
  }

  private static JsonElement field(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? null : e;
  }

  private static String string(JsonObject o, String name, String dflt) {
    JsonElement e = field(o, name);
    if (e == null) {
      if (dflt == null) throw new IllegalArgumentException("config field '" + name + "' is missing");
      return dflt;
    }
    return e.getAsString();
  }

  private static int integer(JsonObject o, String name, Integer dflt) {
    JsonElement e = field(o, name);
    if (e == null) {
      if (dflt == null) throw new IllegalArgumentException("config field '" + name + "' is missing");
      return dflt;
    }
    try {
      return e.getAsInt();
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException("config field '" + name + "' must be an integer, got " + e);
    }
  }

  private static double number(JsonObject o, String name, double dflt) {
    JsonElement e = field(o, name);
    try {
      return e == null ? dflt : e.getAsDouble();
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException("config field '" + name + "' must be a number, got " + e);
    }
  }

  private static boolean bool(JsonObject o, String name, boolean dflt) {
    JsonElement e = field(o, name);
    return e == null ? dflt : e.getAsBoolean();
  }

  /**
   * HF allows a list of end tokens; the record keeps the first, {@link GenerationDefaults} reads them
   * all.
   */
  private static int tokenId(JsonObject o, String name, int dflt) {
    List<Integer> ids = GenerationConfig.tokenIds(field(o, name), "config field '" + name + "'");
    return ids.isEmpty() ? dflt : ids.get(0);
  }
}
