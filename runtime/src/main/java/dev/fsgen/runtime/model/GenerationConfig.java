package dev.fsgen.runtime.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code generation_config.json}: the defaults a checkpoint suggests for generation, with Hugging
 * Face's meaning. Optional on load. Other keys (max_length, ...) are not used.
 *
 * @param eosTokenIds the end-of-text ids the file lists (one id or a list in the file), in its order
 * @param doSample whether to sample; without it generation is greedy, whatever temperature, top_k
 *     and top_p say (as in Hugging Face, which only warns about them)
 * @param repetitionPenalty Hugging Face's repetition_penalty (1 = none), applied greedy or sampled,
 *     as transformers applies it (Qwen2.5 Instruct asks for 1.05)
 */
public record GenerationConfig(int bosTokenId, List<Integer> eosTokenIds, boolean doSample, double temperature, int topK,
    double topP, double repetitionPenalty) {
  // transformers' GenerationConfig documents these defaults for a key the file leaves out: do_sample
  // False, temperature 1.0, top_k 50, top_p 1.0. A key given as null turns its step off instead
  // (transformers adds no logits warper for None): temperature 1, top_k 0, top_p 1.
  static final double HF_TEMPERATURE = 1.0;
  static final int HF_TOP_K = 50;
  static final double HF_TOP_P = 1.0;

  public GenerationConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** Without a repetition penalty. */
  public GenerationConfig(int bosTokenId, List<Integer> eosTokenIds, boolean doSample, double temperature, int topK, double topP) {
    this(bosTokenId, eosTokenIds, doSample, temperature, topK, topP, 1);
  }

  /** What fsgen writes for its own models: greedy, the config's end-of-text token. */
  public static GenerationConfig defaults(LlamaConfig c) {
    return new GenerationConfig(c.bosTokenId(), List.of(c.eosTokenId()), false, HF_TEMPERATURE, HF_TOP_K, HF_TOP_P);
  }

  /** How to sample by default: greedy unless {@code do_sample}; the repetition penalty either way. */
  public SamplingParams sampling() {
    SamplingParams s = doSample ? new SamplingParams(temperature, topK, topP) : SamplingParams.GREEDY;
    return repetitionPenalty == 1 ? s : s.withPenalties(new Penalties(repetitionPenalty, 0, 0, 0));
  }

  /**
   * Reads the file of {@code dir}, or Hugging Face's defaults (and no end-of-text ids) when it has
   * none. Every field it uses is checked: a malformed one is a {@link ModelFormatException} naming
   * the file and the field.
   */
  public static GenerationConfig read(Path dir, LlamaConfig c) {
    Path file = dir.resolve(Checkpoint.GENERATION);
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (NoSuchFileException e) {
      return new GenerationConfig(c.bosTokenId(), List.of(), false, HF_TEMPERATURE, HF_TOP_K, HF_TOP_P);
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file, "not a readable JSON object: " + e.getMessage(), e);
    }
    try {
      List<Integer> bos = tokenIds(o.get("bos_token_id"), "field 'bos_token_id'");
      List<Integer> eos = tokenIds(o.get("eos_token_id"), "field 'eos_token_id'");
      checkVocabulary(eos, "field 'eos_token_id'", c.vocabSize());
      JsonElement sample = o.get("do_sample");
      if (sample != null && !sample.isJsonNull() && !(sample.isJsonPrimitive() && sample.getAsJsonPrimitive().isBoolean())) {
        throw new IllegalArgumentException("field 'do_sample' must be true or false, got " + sample);
      }
      boolean doSample = sample != null && !sample.isJsonNull() && sample.getAsBoolean();
      double temperature = number(o, "temperature", HF_TEMPERATURE, 1.0);
      double topK = number(o, "top_k", HF_TOP_K, 0);
      double topP = number(o, "top_p", HF_TOP_P, 1.0);
      double repetition = number(o, "repetition_penalty", 1.0, 1.0);
      if (!(repetition > 0 && repetition <= Penalties.MAX_REPETITION)) {
        throw new IllegalArgumentException("field 'repetition_penalty' must be in (0, " + Penalties.MAX_REPETITION + "], got " + repetition);
      }
      if (topK != Math.rint(topK) || topK < 0 || topK > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("field 'top_k' must be a whole number >= 0 (0 keeps every token), got " + o.get("top_k"));
      }
      if (doSample) { // Hugging Face refuses these values when it samples, and fsgen's own meaning of temperature 0 is greedy
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
          throw new IllegalArgumentException("field 'temperature' must be a finite number > 0 when do_sample is true, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("field 'top_p' must be in (0, 1], got " + topP);
      }
      return new GenerationConfig(bos.isEmpty() ? c.bosTokenId() : bos.get(0), eos, doSample, temperature, (int) topK, topP, repetition);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
  }

  /** A number field: {@code absent} when the key is missing, {@code off} when it is null. */
  private static double number(JsonObject o, String name, double absent, double off) {
    JsonElement e = o.get(name);
    if (e == null) return absent;
    if (e.isJsonNull()) return off;
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())) {
      throw new IllegalArgumentException("field '" + name + "' must be a number, got " + e);
    }
    return e.getAsDouble();
  }

  /**
   * Token ids as Hugging Face files give them: one id, a list of ids, or nothing (absent or null:
   * an empty list).
   *
   * @param field how a message names the field
   */
  static List<Integer> tokenIds(JsonElement e, String field) {
    List<Integer> ids = new ArrayList<>();
    if (e == null || e.isJsonNull()) return ids;
    if (e.isJsonArray()) {
      for (JsonElement item : e.getAsJsonArray()) ids.add(tokenId(item, field, e));
    } else {
      ids.add(tokenId(e, field, e));
    }
    return ids;
  }

  private static int tokenId(JsonElement item, String field, JsonElement whole) {
    if (item.isJsonPrimitive() && ((JsonPrimitive) item).isNumber()) {
      try {
        return item.getAsBigDecimal().intValueExact();
      } catch (ArithmeticException notAnInt) {
        // reported below
      }
    }
    throw new IllegalArgumentException(field + " must be a token id or a list of token ids, got " + whole);
  }

  /** Checks that every id names a row of the embedding. */
  static void checkVocabulary(List<Integer> ids, String field, int vocabSize) {
    for (int id : ids) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException(field + ": " + id + " is outside the vocabulary [0, " + vocabSize + ")");
      }
    }
  }

  /** Writes the file; one end-of-text id as a number (as fsgen's models always had it), several as a list. */
  public void write(Path dir) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bos_token_id", bosTokenId);
    m.put("eos_token_id", eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
    m.put("do_sample", doSample);
    if (doSample) {
      m.put("temperature", temperature);
      m.put("top_k", topK);
      m.put("top_p", topP);
    }
    if (repetitionPenalty != 1) m.put("repetition_penalty", repetitionPenalty);
    Files.writeString(dir.resolve(Checkpoint.GENERATION), new GsonBuilder().setPrettyPrinting().create().toJson(m) + "\n");
  }
}
