package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face causal LM forward pass (Llama, Qwen2, Mistral) in double precision, written for
 * the tests from the modeling code's equations and reading {@code config.json} itself: nothing of
 * fsgen's config parsing, rotary frequencies or loader is used. RMSNorm; rotary embedding with
 * rotate_half, its inverse frequencies stretched as {@code rope_scaling} says (llama3, linear);
 * grouped-query attention where query head h reads key/value head h / (heads / kv_heads)
 * ({@code repeat_kv}); q/k/v biases where the weights have them; a causal mask narrowed by a sliding
 * window where the config has one (query i sees key j when i - window < j <= i,
 * {@code masking_utils.sliding_window_overlay}); SiLU-gated MLP; the embedding as output projection
 * when tied.
 *
 * <p>Parts of the architecture can be left out ({@link Feature}), to show that a test's checkpoint
 * is one where leaving them out changes the logits.
 */
final class ReferenceForward {
  /** Parts a test may leave out of the reference, to check that they matter. */
  enum Feature { SLIDING_WINDOW, QKV_BIAS, ROPE_SCALING, UNTIED_HEAD }

  private final Map<String, float[]> w;
  private final int vocab;
  private final int hidden;
  private final int inter;
  private final int layers;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final double eps;
  private final double[] invFreq;
  private final int[] window; // per layer, 0 = full attention
  private final boolean bias;
  private final String head;

  ReferenceForward(JsonObject config, Map<String, float[]> weights) {
    this(config, weights, EnumSet.noneOf(Feature.class));
  }

  ReferenceForward(JsonObject c, Map<String, float[]> weights, Set<Feature> without) {
    this.w = weights;
    vocab = c.get("vocab_size").getAsInt();
    hidden = c.get("hidden_size").getAsInt();
    inter = c.get("intermediate_size").getAsInt();
    layers = c.get("num_hidden_layers").getAsInt();
    heads = c.get("num_attention_heads").getAsInt();
    kvHeads = present(c, "num_key_value_heads") ? c.get("num_key_value_heads").getAsInt() : heads;
    headDim = present(c, "head_dim") ? c.get("head_dim").getAsInt() : hidden / heads;
    eps = c.get("rms_norm_eps").getAsDouble();
    double theta = present(c, "rope_theta") ? c.get("rope_theta").getAsDouble() : 10000.0;
    JsonObject scaling = present(c, "rope_scaling") && !without.contains(Feature.ROPE_SCALING) ? c.getAsJsonObject("rope_scaling") : null;
    invFreq = inverseFrequencies(theta, headDim, scaling);
    window = new int[layers];
    String type = c.get("model_type").getAsString();
    for (int l = 0; l < layers; l++) {
      if (without.contains(Feature.SLIDING_WINDOW) || !present(c, "sliding_window")) continue;
      if (type.equals("mistral")) window[l] = c.get("sliding_window").getAsInt();
      // Qwen2: only with use_sliding_window, and only from layer max_window_layers on
      if (type.equals("qwen2") && present(c, "use_sliding_window") && c.get("use_sliding_window").getAsBoolean()
          && l >= c.get("max_window_layers").getAsInt()) {
        window[l] = c.get("sliding_window").getAsInt();
      }
    }
    bias = weights.containsKey("model.layers.0.self_attn.q_proj.bias") && !without.contains(Feature.QKV_BIAS);
    boolean tied = !weights.containsKey("lm_head.weight") || without.contains(Feature.UNTIED_HEAD);
    head = tied ? "model.embed_tokens.weight" : "lm_head.weight";
  }

  /**
   * The reference for a config fsgen holds (its own models): the config in Hugging Face's field
   * names, the weights copied out of libtorch.
   */
  static ReferenceForward of(LlamaConfig c, Map<String, NDArray> weights) {
    JsonObject o = new JsonObject();
    o.addProperty("model_type", c.modelType());
    o.addProperty("vocab_size", c.vocabSize());
    o.addProperty("hidden_size", c.hiddenSize());
    o.addProperty("intermediate_size", c.intermediateSize());
    o.addProperty("num_hidden_layers", c.numLayers());
    o.addProperty("num_attention_heads", c.numHeads());
    o.addProperty("num_key_value_heads", c.numKvHeads());
    o.addProperty("head_dim", c.headDim());
    o.addProperty("rms_norm_eps", c.rmsNormEps());
    o.addProperty("rope_theta", c.ropeTheta());
    o.addProperty("tie_word_embeddings", c.tieWordEmbeddings());
    if (c.ropeScaling().toJson() != null) o.add("rope_scaling", new Gson().toJsonTree(c.ropeScaling().toJson()));
    if (c.slidingWindow() > 0) o.addProperty("sliding_window", c.slidingWindow());
    Map<String, float[]> w = new HashMap<>();
    weights.forEach((name, a) -> w.put(name, a.toFloatArray()));
    return new ReferenceForward(o, w);
  }

  private static boolean present(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && !e.isJsonNull();
  }

  /** theta^(-2i/d), then Llama 3's band-wise stretch or linear scaling. */
  private static double[] inverseFrequencies(double theta, int d, JsonObject scaling) {
    double[] f = new double[d / 2];
    for (int i = 0; i < d / 2; i++) f[i] = Math.pow(theta, -(2.0 * i) / d);
    if (scaling == null) return f;
    String type = scaling.has("rope_type") ? scaling.get("rope_type").getAsString() : scaling.get("type").getAsString();
    double factor = scaling.get("factor").getAsDouble();
    for (int i = 0; i < f.length; i++) {
      if (type.equals("linear")) {
        f[i] /= factor;
      } else if (type.equals("llama3")) {
        double old = scaling.get("original_max_position_embeddings").getAsDouble();
        double low = scaling.get("low_freq_factor").getAsDouble();
        double high = scaling.get("high_freq_factor").getAsDouble();
        double wavelength = 2 * Math.PI / f[i];
        double scaled = wavelength > old / low ? f[i] / factor : f[i];
        boolean medium = !(wavelength < old / high) && !(wavelength > old / low);
        if (medium) {
          double smooth = (old / wavelength - low) / (high - low);
          scaled = (1 - smooth) * scaled / factor + smooth * scaled;
        }
        f[i] = scaled;
      } else {
        throw new IllegalArgumentException("reference has no rope_type " + type);
      }
    }
    return f;
  }

  /** Logits [t][vocab] at every position of one sequence starting at position 0. */
  double[][] logits(int[] tokens) {
    int t = tokens.length;
    double[][] x = new double[t][hidden];
    float[] embed = w.get("model.embed_tokens.weight");
    for (int i = 0; i < t; i++) for (int j = 0; j < hidden; j++) x[i][j] = embed[tokens[i] * hidden + j];
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      double[][] n = new double[t][];
      for (int i = 0; i < t; i++) n[i] = rmsNorm(x[i], w.get(p + "input_layernorm.weight"));
      double[][] a = attention(p, n, window[l]);
      for (int i = 0; i < t; i++) {
        double[] o = linear(w.get(p + "self_attn.o_proj.weight"), a[i], hidden, null);
        for (int j = 0; j < hidden; j++) x[i][j] += o[j];
        double[] m = rmsNorm(x[i], w.get(p + "post_attention_layernorm.weight"));
        double[] g = linear(w.get(p + "mlp.gate_proj.weight"), m, inter, null);
        double[] u = linear(w.get(p + "mlp.up_proj.weight"), m, inter, null);
        for (int j = 0; j < inter; j++) g[j] = g[j] / (1 + Math.exp(-g[j])) * u[j];
        double[] down = linear(w.get(p + "mlp.down_proj.weight"), g, hidden, null);
        for (int j = 0; j < hidden; j++) x[i][j] += down[j];
      }
    }
    double[][] out = new double[t][];
    for (int i = 0; i < t; i++) out[i] = linear(w.get(head), rmsNorm(x[i], w.get("model.norm.weight")), vocab, null);
    return out;
  }

  /** The greedy continuation of {@code prompt}: each step runs the whole sequence again (no cache to get wrong). */
  int[] greedy(int[] prompt, int n) {
    int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + n);
    for (int k = 0; k < n; k++) {
      double[][] l = logits(java.util.Arrays.copyOf(seq, prompt.length + k));
      seq[prompt.length + k] = argmax(l[l.length - 1]);
    }
    return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }

  private double[][] attention(String p, double[][] n, int window) {
    int t = n.length;
    int d = headDim;
    double[][] q = new double[t][];
    double[][] k = new double[t][];
    double[][] v = new double[t][];
    for (int i = 0; i < t; i++) {
      q[i] = linear(w.get(p + "self_attn.q_proj.weight"), n[i], heads * d, bias ? w.get(p + "self_attn.q_proj.bias") : null);
      k[i] = linear(w.get(p + "self_attn.k_proj.weight"), n[i], kvHeads * d, bias ? w.get(p + "self_attn.k_proj.bias") : null);
      v[i] = linear(w.get(p + "self_attn.v_proj.weight"), n[i], kvHeads * d, bias ? w.get(p + "self_attn.v_proj.bias") : null);
      for (int h = 0; h < heads; h++) rotate(q[i], h * d, i);
      for (int h = 0; h < kvHeads; h++) rotate(k[i], h * d, i);
    }
    double[][] out = new double[t][heads * d];
    double scale = 1 / Math.sqrt(d);
    for (int h = 0; h < heads; h++) {
      int kh = h / (heads / kvHeads);
      for (int i = 0; i < t; i++) {
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          if (window > 0 && j <= i - window) {
            s[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double dot = 0;
          for (int e = 0; e < d; e++) dot += q[i][h * d + e] * k[j][kh * d + e];
          s[j] = dot * scale;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
        for (int j = 0; j <= i; j++) {
          for (int e = 0; e < d; e++) out[i][h * d + e] += s[j] / sum * v[j][kh * d + e];
        }
      }
    }
    return out;
  }

  /** x·cos + rotate_half(x)·sin for one head at {@code off}, rotate_half(x) = (-x2, x1). */
  private void rotate(double[] x, int off, int position) {
    int half = headDim / 2;
    for (int i = 0; i < half; i++) {
      double angle = position * invFreq[i];
      double x1 = x[off + i];
      double x2 = x[off + i + half];
      x[off + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
      x[off + i + half] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
    }
  }

  private double[] rmsNorm(double[] x, float[] weight) {
    double ss = 0;
    for (double e : x) ss += e * e;
    double inv = 1 / Math.sqrt(ss / x.length + eps);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = x[i] * inv * weight[i];
    return out;
  }

  /** W·x (+ b) for W [out][in] row-major. */
  private static double[] linear(float[] weight, double[] x, int out, float[] b) {
    int in = x.length;
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = b == null ? 0 : b[o];
      for (int i = 0; i < in; i++) s += weight[o * in + i] * x[i];
      y[o] = s;
    }
    return y;
  }
}
