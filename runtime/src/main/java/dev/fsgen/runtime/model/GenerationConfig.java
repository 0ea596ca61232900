package dev.fsgen.runtime.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code generation_config.json}: the defaults a checkpoint suggests for generation. Optional on load. */
public record GenerationConfig(int bosTokenId, int eosTokenId, double temperature, int topK, double topP) {
  public static GenerationConfig defaults(LlamaConfig c) {
    return new GenerationConfig(c.bosTokenId(), c.eosTokenId(), 0.0, 0, 1.0);
  }

  public static GenerationConfig read(Path dir, LlamaConfig c) {
    Path file = dir.resolve(Checkpoint.GENERATION);
    GenerationConfig d = defaults(c);
    if (!Files.exists(file)) return d;
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      boolean sample = o.has("do_sample") && o.get("do_sample").getAsBoolean();
      return new GenerationConfig(
          o.has("bos_token_id") ? o.get("bos_token_id").getAsInt() : d.bosTokenId(),
          o.has("eos_token_id") && o.get("eos_token_id").isJsonPrimitive() ? o.get("eos_token_id").getAsInt() : d.eosTokenId(),
          sample && o.has("temperature") ? o.get("temperature").getAsDouble() : 0.0,
          sample && o.has("top_k") ? o.get("top_k").getAsInt() : 0,
          sample && o.has("top_p") ? o.get("top_p").getAsDouble() : 1.0);
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file, "unreadable generation config: " + e.getMessage(), e);
    }
  }

  public void write(Path dir) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bos_token_id", bosTokenId);
    m.put("eos_token_id", eosTokenId);
    m.put("do_sample", temperature > 0);
    if (temperature > 0) {
      m.put("temperature", temperature);
      m.put("top_k", topK);
      m.put("top_p", topP);
    }
    Files.writeString(dir.resolve(Checkpoint.GENERATION), new GsonBuilder().setPrettyPrinting().create().toJson(m) + "\n");
  }
}
