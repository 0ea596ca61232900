package dev.fsgen.runtime.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.fsgen.tokenizer.TokenizerFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checkpoint directories laid out as five published ones are: the published {@code config.json}'s
 * exact fields and values with only the sizes shrunk, random weights under Hugging Face's tensor
 * names in the published dtype (bf16) or in fp32, sharded over two safetensors files with a
 * {@code model.safetensors.index.json}, a {@code generation_config.json} and a {@code tokenizer.json}.
 *
 * <p>The safetensors files are written here, byte by byte, not through fsgen's writer, so that the
 * loader is checked against an independent writer. The weights are returned as written (bf16
 * values already rounded), so that a reference can compute from them without fsgen's loader.
 *
 * <p>{@code max_position_embeddings} is shrunk to 1024 like the other sizes: fsgen and Jlama
 * build per-position tables and caches of that length, and Llama 3's rope scaling reads its own
 * {@code original_max_position_embeddings}, which stays as published.
 *
 * <p>Token ids of the config and generation config are moved into the shrunk vocabulary: an id
 * below it stays, a higher one keeps its distance from the vocabulary's end (Llama 3's
 * 128000..128009 become 256..265 of 512).
 */
public final class PublishedCheckpoints {
  /** The shrunk vocabulary of Llama and Mistral: the tokenizer written beside their weights has exactly this many tokens. */
  public static final int VOCAB = 512;
  /** The shrunk Qwen tokenizer's tokens: its embeddings are padded past it, as Qwen2.5's are. */
  public static final int QWEN_TOKENS = 480;
  /** Mistral's window shrunk so that it matters in a 16-token test. */
  public static final int WINDOW = 6;

  /** A published checkpoint: where its config came from, and its config with the sizes shrunk. */
  public enum Family {
    /**
     * meta-llama/Llama-3.2-1B-Instruct config.json (field set and values as mirrored in public
     * repositories, e.g. a vLLM example's {@code model_config} and a speculators doc): llama3 rope
     * scaling factor 32, explicit head_dim 64, tied embeddings, three end tokens.
     */
    LLAMA_3_2_1B_INSTRUCT("bfloat16", 128256, 128256, VOCAB, """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
         "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu",
         "hidden_size": 256, "initializer_range": 0.02, "intermediate_size": 512, "max_position_embeddings": 1024,
         "mlp_bias": false, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": 2,
         "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
           "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
         "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}""", """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009],
         "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.45.0.dev0"}"""),
    /**
     * meta-llama/Llama-3.1-8B-Instruct config.json (as mirrored in public repositories, e.g. test
     * fixtures holding {@code llama_3_1_config}): llama3 rope scaling factor 8, no head_dim field,
     * untied lm_head.
     */
    LLAMA_3_1_8B_INSTRUCT("bfloat16", 128256, 128256, VOCAB, """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
         "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
         "hidden_size": 256, "initializer_range": 0.02, "intermediate_size": 512, "max_position_embeddings": 1024,
         "mlp_bias": false, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": 2,
         "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
           "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
         "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 128256}""", """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009],
         "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.42.3"}"""),
    /**
     * Qwen/Qwen2.5-0.5B-Instruct config.json (as mirrored in public repositories, e.g. a copy whose
     * README lists it unchanged but for the architecture): q/k/v biases, rope_theta 1e6, tied, and a
     * sliding_window that use_sliding_window false switches off (shrunk too, so that honouring it
     * would show).
     */
    QWEN2_5_0_5B_INSTRUCT("bfloat16", 151936, 151665, QWEN_TOKENS + 16, """
        {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
         "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 256, "initializer_range": 0.02,
         "intermediate_size": 512, "max_position_embeddings": 1024, "max_window_layers": 1, "model_type": "qwen2",
         "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
         "rope_theta": 1000000.0, "sliding_window": 6, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
         "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}""", """
        {"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643],
         "repetition_penalty": 1.1, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "transformers_version": "4.37.0"}"""),
    /**
     * Qwen/Qwen2.5-7B-Instruct config.json (as mirrored in public repositories, e.g. a C port's
     * comment and a ComfyUI loader's {@code config_7b}): as the 0.5B but untied.
     */
    QWEN2_5_7B_INSTRUCT("bfloat16", 152064, 151665, QWEN_TOKENS + 32, """
        {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
         "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 384, "initializer_range": 0.02,
         "intermediate_size": 512, "max_position_embeddings": 1024, "max_window_layers": 2, "model_type": "qwen2",
         "num_attention_heads": 6, "num_hidden_layers": 2, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
         "rope_theta": 1000000.0, "sliding_window": 6, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
         "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false, "vocab_size": 152064}""", """
        {"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643],
         "repetition_penalty": 1.05, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "transformers_version": "4.37.0"}"""),
    /**
     * mistralai/Mistral-7B-v0.1 config.json (as mirrored in public repositories, e.g. tests that
     * spell out {@code https://huggingface.co/mistralai/Mistral-7B-v0.1/resolve/main/config.json}):
     * sliding_window 4096, shrunk to {@link #WINDOW}.
     */
    MISTRAL_7B_V0_1("bfloat16", 32000, 32000, VOCAB, """
        {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
         "hidden_size": 256, "initializer_range": 0.02, "intermediate_size": 512, "max_position_embeddings": 1024,
         "model_type": "mistral", "num_attention_heads": 8, "num_hidden_layers": 2, "num_key_value_heads": 2,
         "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 6, "tie_word_embeddings": false,
         "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}""", """
        {"_from_model_config": true, "bos_token_id": 1, "eos_token_id": 2, "transformers_version": "4.34.0.dev0"}""");

    private final String torchDtype;
    private final int publishedTokenizer;
    private final int rows;
    private final String config;
    private final String generation;

    /**
     * @param publishedVocab the published embedding's rows ({@code vocab_size})
     * @param publishedTokenizer the published tokenizer's tokens: fewer than the rows where the
     *     embedding is padded (Qwen2.5), which the shrunk checkpoint pads too, by a size's own amount
     * @param rows the shrunk embedding's rows
     */
    Family(String torchDtype, int publishedVocab, int publishedTokenizer, int rows, String config, String generation) {
      this.torchDtype = torchDtype;
      this.publishedTokenizer = publishedTokenizer;
      this.rows = rows;
      this.config = config;
      this.generation = generation;
      if ((publishedVocab > publishedTokenizer) != (rows > tokenizerSize())) throw new IllegalStateException(name() + " padding");
    }

    /**
     * Tokens of the shrunk tokenizer written beside the weights: Llama's and Mistral's {@link #VOCAB},
     * Qwen's {@link #QWEN_TOKENS}, a tokenizer of its own (so that a Llama and a Qwen do not pair).
     */
    public int tokenizerSize() {
      return name().startsWith("QWEN") ? QWEN_TOKENS : VOCAB;
    }

    /** The shrunk config.json as written (vocabulary and token ids moved into the shrunk tokenizer). */
    public JsonObject config() {
      JsonObject o = shrinkIds(config);
      o.addProperty("vocab_size", rows);
      return o;
    }

    JsonObject generationConfig() {
      return shrinkIds(generation);
    }

    private JsonObject shrinkIds(String json) {
      JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
      for (String key : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
        if (!o.has(key)) continue;
        if (o.get(key).isJsonArray()) {
          com.google.gson.JsonArray a = new com.google.gson.JsonArray();
          o.getAsJsonArray(key).forEach(e -> a.add(shrinkId(e.getAsInt())));
          o.add(key, a);
        } else {
          o.addProperty(key, shrinkId(o.get(key).getAsInt()));
        }
      }
      return o;
    }

    private int shrinkId(int id) {
      return id < tokenizerSize() ? id : tokenizerSize() - (publishedTokenizer - id);
    }

    /** The dtype the checkpoint is published in ({@code torch_dtype}). */
    public String torchDtype() {
      return torchDtype;
    }
  }

  /** How the tensors are stored. */
  public enum Dtype {
    F32, BF16;

    /** The value this dtype stores for {@code f}: bf16 keeps the upper 16 bits, rounded to nearest even. */
    float stored(float f) {
      return this == F32 ? f : Float.intBitsToFloat(bf16Bits(f) << 16);
    }

    static int bf16Bits(float f) {
      int bits = Float.floatToRawIntBits(f);
      return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    }
  }

  /** A written checkpoint: its directory, config and the weights exactly as stored (HF names, row-major). */
  public record Written(Path dir, JsonObject config, Map<String, float[]> weights, Map<String, long[]> shapes) {}

  private static final Map<Integer, byte[]> tokenizers = new java.util.HashMap<>();

  private PublishedCheckpoints() {}

  /** A byte-level BPE tokenizer of exactly {@code size} tokens, trained once per size. */
  private static synchronized byte[] tokenizerJson(int size) throws IOException {
    byte[] tokenizer = tokenizers.get(size);
    if (tokenizer == null) {
      Path tmp = Files.createTempDirectory("fsgen-tokenizer");
      Path file = TokenizerFixture.write(tmp, size);
      tokenizer = Files.readAllBytes(file);
      tokenizers.put(size, tokenizer);
      Files.delete(file);
      try (var rest = Files.list(tmp)) {
        for (Path p : rest.toList()) Files.delete(p);
      }
      Files.delete(tmp);
    }
    return tokenizer;
  }

  /** Writes {@code family} into {@code dir} with random weights from {@code seed}, stored as {@code dtype}. */
  public static Written write(Family family, Dtype dtype, long seed, Path dir) throws IOException {
    Files.createDirectories(dir);
    JsonObject config = family.config();
    Map<String, long[]> shapes = shapes(config);
    Map<String, float[]> weights = new LinkedHashMap<>();
    Random r = new Random(seed);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      float[] w = new float[(int) count(shape)];
      // activations of order 1 throughout: unit embeddings, norms near 1, matrices scaled by their
      // fan-in; q/k/v biases as large as Qwen's trained ones are, and q and k larger, for attention
      // as peaked as a trained model's: the rotary angles (and their scaling) then show in the logits
      double std = name.contains("embed_tokens") ? 1.0
          : name.endsWith("norm.weight") ? 0.2
          : name.endsWith(".bias") ? 1.0
          : name.endsWith("q_proj.weight") || name.endsWith("k_proj.weight") ? 3.0 / Math.sqrt(shape[1])
          : 1.0 / Math.sqrt(shape[1]);
      double mean = name.endsWith("norm.weight") ? 1.0 : 0.0;
      for (int i = 0; i < w.length; i++) w[i] = dtype.stored((float) (mean + std * r.nextGaussian()));
      weights.put(name, w);
    }

    // two shards, split where half of the bytes are written, as Hugging Face splits by size
    long total = 0;
    for (float[] w : weights.values()) total += (long) w.length * (dtype == Dtype.F32 ? 4 : 2);
    List<String> names = new ArrayList<>(weights.keySet());
    List<List<String>> shards = List.of(new ArrayList<>(), new ArrayList<>());
    long written = 0;
    for (String n : names) {
      shards.get(written < total / 2 ? 0 : 1).add(n);
      written += (long) weights.get(n).length * (dtype == Dtype.F32 ? 4 : 2);
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int s = 0; s < shards.size(); s++) {
      String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
      writeSafetensors(dir.resolve(file), shards.get(s), weights, shapes, dtype);
      for (String n : shards.get(s)) weightMap.put(n, file);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", Map.of("total_size", total));
    index.put("weight_map", weightMap);
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    Files.writeString(dir.resolve("model.safetensors.index.json"), gson.toJson(index) + "\n");

    JsonObject stored = config.deepCopy();
    stored.addProperty("torch_dtype", dtype == Dtype.F32 ? "float32" : family.torchDtype());
    Files.writeString(dir.resolve("config.json"), gson.toJson(stored) + "\n");
    Files.writeString(dir.resolve("generation_config.json"), gson.toJson(family.generationConfig()) + "\n");
    Files.write(dir.resolve("tokenizer.json"), tokenizerJson(family.tokenizerSize()));
    return new Written(dir, stored, weights, shapes);
  }

  /** Hugging Face's tensors of a Llama/Qwen2/Mistral causal LM with this config, in the order it saves them. */
  static Map<String, long[]> shapes(JsonObject c) {
    int vocab = c.get("vocab_size").getAsInt();
    int hidden = c.get("hidden_size").getAsInt();
    int inter = c.get("intermediate_size").getAsInt();
    int heads = c.get("num_attention_heads").getAsInt();
    int kv = c.get("num_key_value_heads").getAsInt();
    int d = c.has("head_dim") ? c.get("head_dim").getAsInt() : hidden / heads;
    boolean bias = c.get("model_type").getAsString().equals("qwen2");
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("model.embed_tokens.weight", new long[] {vocab, hidden});
    for (int l = 0; l < c.get("num_hidden_layers").getAsInt(); l++) {
      String p = "model.layers." + l + ".";
      s.put(p + "input_layernorm.weight", new long[] {hidden});
      s.put(p + "mlp.down_proj.weight", new long[] {hidden, inter});
      s.put(p + "mlp.gate_proj.weight", new long[] {inter, hidden});
      s.put(p + "mlp.up_proj.weight", new long[] {inter, hidden});
      s.put(p + "post_attention_layernorm.weight", new long[] {hidden});
      if (bias) s.put(p + "self_attn.k_proj.bias", new long[] {(long) kv * d});
      s.put(p + "self_attn.k_proj.weight", new long[] {(long) kv * d, hidden});
      s.put(p + "self_attn.o_proj.weight", new long[] {hidden, (long) heads * d});
      if (bias) s.put(p + "self_attn.q_proj.bias", new long[] {(long) heads * d});
      s.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * d, hidden});
      if (bias) s.put(p + "self_attn.v_proj.bias", new long[] {(long) kv * d});
      s.put(p + "self_attn.v_proj.weight", new long[] {(long) kv * d, hidden});
    }
    s.put("model.norm.weight", new long[] {hidden});
    if (!c.get("tie_word_embeddings").getAsBoolean()) s.put("lm_head.weight", new long[] {vocab, hidden});
    return s;
  }

  /**
   * The safetensors format: an 8-byte little-endian header length, the header JSON (padded with
   * spaces to a multiple of 8, as the reference writer does), then each tensor's little-endian
   * bytes at its {@code data_offsets} relative to the end of the header.
   */
  private static void writeSafetensors(Path file, List<String> names, Map<String, float[]> weights, Map<String, long[]> shapes,
      Dtype dtype) throws IOException {
    int width = dtype == Dtype.F32 ? 4 : 2;
    Map<String, long[]> tensors = new LinkedHashMap<>();
    for (String n : names) tensors.put(n, shapes.get(n));
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(header(tensors, dtype.name(), width).array());
      for (String n : names) {
        float[] w = weights.get(n);
        ByteBuffer b = ByteBuffer.allocate(w.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : w) {
          if (dtype == Dtype.F32) b.putFloat(f);
          else b.putShort((short) Dtype.bf16Bits(f));
        }
        out.write(b.array());
      }
    }
  }

  /**
   * The bytes before a safetensors file's data: the 8-byte little-endian header length, then the
   * header JSON (padded with spaces to a multiple of 8, as the reference writer does), each tensor's
   * {@code data_offsets} laid out one after another in {@code tensors}' order.
   */
  static ByteBuffer header(Map<String, long[]> tensors, String dtype, int width) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (Map.Entry<String, long[]> t : tensors.entrySet()) {
      long bytes = count(t.getValue()) * width;
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", dtype);
      entry.put("shape", t.getValue());
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      header.put(t.getKey(), entry);
      offset += bytes;
    }
    byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) head.put((byte) ' ');
    return head.flip();
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }
}
