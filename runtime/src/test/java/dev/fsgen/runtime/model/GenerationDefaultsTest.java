package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.decoding.Penalties;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's end-of-text tokens (the union of config.json's, generation_config.json's and the
 * tokenizer's) and its sampling defaults, read with Hugging Face's meaning; malformed fields are
 * refused naming the file and the field.
 */
class GenerationDefaultsTest {
  private static final Path SYSTEM1 = Greedy.root().resolve("models/system1");

  @Test
  void bundledModelsAreGreedyEndOnTheirTokenizersEosAndKeepTheirFiles(@TempDir Path tmp) throws IOException {
    for (String name : new String[] {"system1", "system1-distilled", "system2"}) {
      Path dir = Greedy.root().resolve("models").resolve(name);
      try (LoadedModel m = LoadedModel.load(dir)) {
        assertEquals(SamplingParams.GREEDY, m.generation().sampling(), name + ": the demo stays greedy");
        assertEquals(List.of(m.tokenizer().eosId()), List.copyOf(m.generation().eosIds()), name);
        assertEquals(m.tokenizer().eosId(), m.generation().primaryEosId(), name);
        // what fsgen writes for a model of its own is the file the bundled model has: one id, do_sample false
        Path out = Files.createDirectories(tmp.resolve(name));
        GenerationConfig.defaults(m.model().config()).write(out);
        assertArrayEquals(Files.readAllBytes(dir.resolve(Checkpoint.GENERATION)), Files.readAllBytes(out.resolve(Checkpoint.GENERATION)),
            name);
      }
    }
  }

  @Test
  void endOfTextIsTheUnionOfTokenizerConfigAndGenerationConfigInThatOrder(@TempDir Path tmp) throws IOException {
    Path dir = checkpoint(tmp, "union");
    editJson(dir.resolve(LlamaConfig.FILE), o -> o.add("eos_token_id", JsonParser.parseString("[5, 0, 7]")));
    editJson(dir.resolve(Checkpoint.GENERATION), o -> o.add("eos_token_id", JsonParser.parseString("[9, 7]")));
    try (LoadedModel m = LoadedModel.load(dir)) {
      assertEquals(0, m.tokenizer().eosId());
      assertEquals(List.of(0, 5, 7, 9), List.copyOf(m.generation().eosIds()));
      assertEquals(0, m.generation().primaryEosId());
      assertEquals(5, m.model().config().eosTokenId(), "the config record keeps config.json's first id");
    }
    // one id in either file, or none there at all: the tokenizer's EOS with whatever the files add
    editJson(dir.resolve(LlamaConfig.FILE), o -> o.remove("eos_token_id"));
    editJson(dir.resolve(Checkpoint.GENERATION), o -> o.addProperty("eos_token_id", 11));
    assertEquals(List.of(0, 11), eosIds(dir));
    Files.delete(dir.resolve(Checkpoint.GENERATION));
    assertEquals(List.of(0), eosIds(dir));
  }

  @Test
  void samplingDefaultsFollowHuggingFace(@TempDir Path tmp) throws IOException {
    Path dir = checkpoint(tmp, "sampling");
    Path file = dir.resolve(Checkpoint.GENERATION);
    // without do_sample: greedy whatever temperature and top_p say (Llama-style files with do_sample left out)
    editJson(file, o -> {
      o.addProperty("temperature", 0.6);
      o.addProperty("top_p", 0.9);
      o.remove("do_sample");
    });
    assertEquals(SamplingParams.GREEDY, sampling(dir));
    editJson(file, o -> o.addProperty("do_sample", false));
    assertEquals(SamplingParams.GREEDY, sampling(dir));
    // do_sample: what the file gives, Hugging Face's defaults (top_k 50, top_p 1.0, temperature 1.0) for what it does not
    editJson(file, o -> o.addProperty("do_sample", true));
    assertEquals(new SamplingParams(0.6, 50, 0.9), sampling(dir));
    editJson(file, o -> {
      o.remove("temperature");
      o.remove("top_p");
      o.addProperty("top_k", 20);
    });
    assertEquals(new SamplingParams(1.0, 20, 1.0), sampling(dir));
    // null turns a step off, as Hugging Face adds no warper for None
    editJson(file, o -> o.add("top_k", JsonNull.INSTANCE));
    assertEquals(new SamplingParams(1.0, 0, 1.0), sampling(dir));
    // repetition_penalty applies greedy or sampled, as transformers applies it (Qwen2.5 Instruct: 1.05)
    editJson(file, o -> o.addProperty("repetition_penalty", 1.05));
    assertEquals(new SamplingParams(1.0, 0, 1.0, new Penalties(1.05, 0, 0, 0)), sampling(dir));
    editJson(file, o -> o.addProperty("do_sample", false));
    assertEquals(SamplingParams.GREEDY.withPenalties(new Penalties(1.05, 0, 0, 0)), sampling(dir));
    // what fsgen writes is read back as it was
    GenerationConfig written = new GenerationConfig(0, List.of(0, 3), true, 0.8, 40, 0.95, 1.1);
    written.write(dir);
    assertEquals(written, GenerationConfig.read(dir, LlamaConfig.read(dir)));
    assertTrue(Files.readString(file).contains("\"eos_token_id\": [\n    0,\n    3\n  ]"), Files.readString(file));
    // no file at all: greedy
    Files.delete(file);
    assertEquals(SamplingParams.GREEDY, sampling(dir));
  }

  @Test
  void malformedFieldsAreRefusedNamingTheFileAndTheField(@TempDir Path tmp) throws IOException {
    refused(tmp, "config-outside", LlamaConfig.FILE, "eos_token_id", "[0, 4096]", "4096 is outside the vocabulary");
    refused(tmp, "config-string", LlamaConfig.FILE, "eos_token_id", "\"x\"", "must be a token id or a list of token ids");
    refused(tmp, "config-list-string", LlamaConfig.FILE, "eos_token_id", "[0, \"x\"]", "must be a token id or a list of token ids");
    refused(tmp, "generation-outside", Checkpoint.GENERATION, "eos_token_id", "[0, 5000]", "5000 is outside the vocabulary");
    refused(tmp, "generation-negative", Checkpoint.GENERATION, "eos_token_id", "-1", "-1 is outside the vocabulary");
    refused(tmp, "generation-string", Checkpoint.GENERATION, "eos_token_id", "\"x\"", "must be a token id or a list of token ids");
    refused(tmp, "generation-fraction", Checkpoint.GENERATION, "eos_token_id", "2.5", "must be a token id or a list of token ids");
    refused(tmp, "do-sample", Checkpoint.GENERATION, "do_sample", "\"yes\"", "must be true or false");
    refused(tmp, "temperature", Checkpoint.GENERATION, "temperature", "\"hot\"", "must be a number");
    refused(tmp, "repetition", Checkpoint.GENERATION, "repetition_penalty", "0", "field 'repetition_penalty' must be in (0, 10]");
    refused(tmp, "top-k", Checkpoint.GENERATION, "top_k", "-1", "must be a whole number >= 0");
    refused(tmp, "top-k-fraction", Checkpoint.GENERATION, "top_k", "2.5", "must be a whole number >= 0");
    // values only sampling uses are checked when the file asks to sample
    refused(tmp, "zero-temperature", Checkpoint.GENERATION, "temperature", "0", "must be a finite number > 0 when do_sample is true",
        "do_sample", "true");
    refused(tmp, "top-p", Checkpoint.GENERATION, "top_p", "1.5", "must be in (0, 1]", "do_sample", "true");
  }

  /** A checkpoint whose {@code file} sets {@code field} (and optionally one more) as given must fail to load. */
  private static void refused(Path tmp, String name, String file, String field, String json, String detail, String... more)
      throws IOException {
    Path dir = checkpoint(tmp, name);
    editJson(dir.resolve(file), o -> {
      o.add(field, JsonParser.parseString(json));
      if (more.length == 2) o.add(more[0], JsonParser.parseString(more[1]));
    });
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> LoadedModel.load(dir).close(), name);
    String m = e.getMessage();
    assertTrue(m.contains(dir.resolve(file).toString()) && m.contains("'" + field + "'") && m.contains(detail), name + ": " + m);
  }

  private static List<Integer> eosIds(Path dir) {
    return List.copyOf(read(dir).eosIds());
  }

  private static SamplingParams sampling(Path dir) {
    return read(dir).sampling();
  }

  private static GenerationDefaults read(Path dir) {
    try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
      return GenerationDefaults.read(dir, LlamaConfig.read(dir), tokenizer);
    }
  }

  /** System 1's checkpoint copied to {@code tmp/name}. */
  private static Path checkpoint(Path tmp, String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    for (String f : new String[] {LlamaConfig.FILE, Checkpoint.GENERATION, Checkpoint.TOKENIZER, Checkpoint.WEIGHTS}) {
      Files.copy(SYSTEM1.resolve(f), dir.resolve(f));
    }
    return dir;
  }

  private static void editJson(Path file, Consumer<JsonObject> edit) throws IOException {
    JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    edit.accept(o);
    Files.writeString(file, o.toString());
  }
}
