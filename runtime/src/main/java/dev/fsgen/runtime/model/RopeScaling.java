package dev.fsgen.runtime.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code config.json}'s {@code rope_scaling}: how a checkpoint stretches its rotary positions beyond
 * the context it was pretrained on, by changing each pair's inverse frequency (and nothing else, so
 * every decode path gets it through {@link LlamaConfig#ropeInverseFrequency}).
 *
 * <ul>
 *   <li>{@code linear}: every frequency divided by {@code factor} (positions compressed);
 *   <li>{@code llama3} (Llama 3.1/3.2): frequencies whose wavelength is shorter than
 *       {@code original_max_position_embeddings / high_freq_factor} are kept, those longer than
 *       {@code original_max_position_embeddings / low_freq_factor} are divided by {@code factor}, and
 *       the band between is interpolated linearly in {@code original / wavelength}.
 * </ul>
 *
 * Other types (dynamic NTK, YaRN, LongRoPE) are refused by name.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {
  public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

  public RopeScaling {
    switch (type) {
      case "default" -> { }
      case "linear" -> require(factor > 0, "factor", "must be positive, got " + factor);
      case "llama3" -> {
        require(factor > 0, "factor", "must be positive, got " + factor);
        require(lowFreqFactor > 0 && highFreqFactor > lowFreqFactor, "low_freq_factor",
            "need 0 < low_freq_factor < high_freq_factor, got " + lowFreqFactor + " and " + highFreqFactor);
        require(originalMaxPositionEmbeddings > 0, "original_max_position_embeddings", "must be positive, got " + originalMaxPositionEmbeddings);
      }
      default -> throw new IllegalArgumentException("config field 'rope_scaling': type '" + type
          + "' is not supported; supported: linear, llama3 (or none)");
    }
  }

  /** The scaled inverse frequency of one rotary pair whose unscaled one is {@code invFreq}. */
  public double apply(double invFreq) {
    return switch (type) {
      case "linear" -> invFreq / factor;
      case "llama3" -> {
        double wavelength = 2 * Math.PI / invFreq;
        double highFreqWavelength = originalMaxPositionEmbeddings / highFreqFactor;
        double lowFreqWavelength = originalMaxPositionEmbeddings / lowFreqFactor;
        if (wavelength < highFreqWavelength) yield invFreq;
        if (wavelength > lowFreqWavelength) yield invFreq / factor;
        double smooth = (originalMaxPositionEmbeddings / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        yield (1 - smooth) * invFreq / factor + smooth * invFreq;
      }
      default -> invFreq;
    };
  }

  /** Reads {@code rope_scaling} (absent or null: none); the type is under {@code rope_type} or the older {@code type}. */
  static RopeScaling fromJson(JsonElement e) {
    if (e == null || e.isJsonNull()) return NONE;
    if (!e.isJsonObject()) throw new IllegalArgumentException("config field 'rope_scaling': expected an object, got " + e);
    JsonObject o = e.getAsJsonObject();
    JsonElement t = o.has("rope_type") ? o.get("rope_type") : o.get("type");
    if (t == null || t.isJsonNull()) throw new IllegalArgumentException("config field 'rope_scaling': no rope_type in " + e);
    String type = t.getAsString();
    if (type.equals("default")) return NONE;
    return new RopeScaling(type, number(o, "factor", 1), number(o, "low_freq_factor", 0), number(o, "high_freq_factor", 0),
        (int) number(o, "original_max_position_embeddings", 0));
  }

  /** The object {@code config.json} holds, or null for none. */
  Map<String, Object> toJson() {
    if (this.equals(NONE)) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rope_type", type);
    m.put("factor", factor);
    if (type.equals("llama3")) {
      m.put("low_freq_factor", lowFreqFactor);
      m.put("high_freq_factor", highFreqFactor);
      m.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
    }
    return m;
  }

  private static double number(JsonObject o, String name, double dflt) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) return dflt;
    try {
      return e.getAsDouble();
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException("config field 'rope_scaling." + name + "' must be a number, got " + e);
    }
  }

  private static void require(boolean ok, String field, String detail) {
    if (!ok) throw new IllegalArgumentException("config field 'rope_scaling." + field + "': " + detail);
  }
}
