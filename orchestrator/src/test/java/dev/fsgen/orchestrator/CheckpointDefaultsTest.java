package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.decoding.Generator;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.ModelInfo;
import dev.fsgen.proto.model.v1.GetModelInfoRequest;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.service.HostLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What System 2's checkpoint files say about generating, served: every end-of-text token that
 * config.json or generation_config.json lists ends a generation (ignore_eos still disables them),
 * ModelInfo lists them all, and a request without sampling gets the checkpoint's sampling defaults.
 * System 2 serves a copy of models/system2 whose files are edited; the prompts go over real gRPC.
 */
class CheckpointDefaultsTest {
  private static final Path SYSTEM2 = LiveServices.ROOT.resolve("models/system2");
  private static final String PROMPT = "The history of the city";
  private static final int MAX_TOKENS = 24;
  /** System 2's greedy output on the prompt, in this process, past every end-of-text token. */
  private static int[] greedy;
  /** An early token of {@link #greedy}, first produced at {@link #stopAt}, that the bundled model does not stop on. */
  private static int early;
  private static int stopAt;

  @BeforeAll
  static void system2Greedy() {
    try (LoadedModel m = LoadedModel.load(SYSTEM2)) {
      int[] prompt = m.tokenizer().encode(PROMPT);
      greedy = Generator.generate(new LocalLanguageModel(m.model()), prompt,
          new Generator.Options(MAX_TOKENS, SamplingParams.GREEDY, 0, Set.of()), id -> {}).tokens();
      // the earliest token from the third on that the bundled model's own end-of-text tokens do not precede
      for (stopAt = 2; stopAt < greedy.length; stopAt++) {
        int t = greedy[stopAt];
        if (!m.generation().eosIds().contains(t) && Arrays.stream(greedy, 0, stopAt).noneMatch(x -> x == t)) break;
      }
      assertTrue(stopAt < greedy.length - 2, "an early token to stop on: " + Arrays.toString(greedy));
      for (int i = 0; i <= stopAt; i++) {
        assertFalse(m.generation().eosIds().contains(greedy[i]), "the bundled model generates past position " + stopAt);
      }
      early = greedy[stopAt];
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"config.json", "generation_config.json"})
  void aTokenEitherFileListsEndsTheGeneration(String file, @TempDir Path tmp) throws IOException {
    Consumer<JsonObject> listed = o -> o.add("eos_token_id", JsonParser.parseString("[0, " + early + "]"));
    Path dir = system2(tmp, file.equals("config.json") ? listed : o -> {}, file.equals("config.json") ? o -> {} : listed);
    try (LiveServices live = services(dir)) {
      ModelInfo info = live.system2Stub().getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo();
      assertEquals(List.of(0, early), info.getEosTokenIdsList());
      assertEquals(0, info.getEosTokenId(), "the primary id stays the tokenizer's");
      for (StrategyOptions s : List.of(StrategyOptions.getDefaultInstance(), StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build())) {
        Generated stopped = generate(live, live.request(PROMPT, MAX_TOKENS).setStrategy(s).setIgnoreEos(false));
        assertArrayEquals(Arrays.copyOf(greedy, stopAt), stopped.ids(), file + ", " + s);
        assertEquals(FinishReason.FINISH_REASON_EOS, stopped.summary().getFinishReason());
        Generated past = generate(live, live.request(PROMPT, MAX_TOKENS).setStrategy(s));
        assertArrayEquals(greedy, past.ids(), "ignore_eos: past every end-of-text token, " + file + ", " + s);
        assertEquals(FinishReason.FINISH_REASON_LENGTH, past.summary().getFinishReason());
      }
    }
  }

  @Test
  void aRequestWithoutSamplingGetsTheCheckpointsDefaults(@TempDir Path tmp) throws IOException {
    int unused = 4095;
    while (contains(greedy, unused)) unused--;
    int notGenerated = unused;
    Path dir = system2(tmp, o -> o.add("eos_token_id", JsonParser.parseString("[0, " + notGenerated + "]")), o -> {
      o.add("eos_token_id", JsonParser.parseString("[" + early + ", 0]"));
      o.addProperty("do_sample", true);
      o.addProperty("temperature", 1.5); // top_k and top_p left out: Hugging Face's 50 and 1.0
    });
    try (LiveServices live = services(dir)) {
      ModelInfo info = live.system2Stub().getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo();
      assertEquals(List.of(0, notGenerated, early), info.getEosTokenIdsList(), "tokenizer, config.json, generation_config.json");
      Sampling defaults = Sampling.newBuilder().setTemperature(1.5).setTopK(50).build();
      assertEquals(defaults, info.getGenerationDefaults());

      GenerateRequest unset = live.request(PROMPT, MAX_TOKENS).setSeed(7).build();
      int[] sampled = generate(live, unset.toBuilder()).ids();
      assertArrayEquals(sampled, generate(live, unset.toBuilder()).ids(), "the same seed gives the same tokens");
      assertFalse(Arrays.equals(greedy, sampled), "the checkpoint's do_sample makes a request without sampling sample");
      assertArrayEquals(sampled, generate(live, unset.toBuilder().setSampling(defaults)).ids(),
          "exactly the checkpoint's temperature 1.5, top_k 50, top_p 1.0");
      for (StrategyOptions s : List.of(StrategyOptions.getDefaultInstance(), StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build())) {
        GenerateRequest.Builder asGreedy = unset.toBuilder().setStrategy(s).setSampling(Sampling.newBuilder().setTemperature(0));
        assertArrayEquals(greedy, generate(live, asGreedy.clone()).ids(), "a request's sampling overrides the checkpoint's, " + s);
        assertArrayEquals(Arrays.copyOf(greedy, stopAt), generate(live, asGreedy.setIgnoreEos(false)).ids(),
            "generation_config.json's list ends it, " + s);
      }
    }
  }

  @Test
  void theBundledSystem2IsGreedyByDefault() {
    try (LiveServices live = new LiveServices()) {
      ModelInfo info = live.system2Stub().getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo();
      assertTrue(info.hasGenerationDefaults());
      assertEquals(0, info.getGenerationDefaults().getTemperature(), "do_sample false: greedy");
      assertEquals(List.of(0), info.getEosTokenIdsList());
      assertArrayEquals(greedy, generate(live, live.request(PROMPT, MAX_TOKENS).setSeed(7)).ids());
    }
  }

  private static LiveServices services(Path system2) {
    return new LiveServices(Map.of("default", LiveServices.ROOT.resolve("models/system1")), system2, HostLimits.DEFAULT,
        OrchestratorLimits.DEFAULT);
  }

  private static Generated generate(LiveServices live, GenerateRequest.Builder r) {
    return Generated.of(live.generate(r.build()));
  }

  private static boolean contains(int[] ids, int id) {
    return Arrays.stream(ids).anyMatch(x -> x == id);
  }

  /** A copy of models/system2 whose config.json and generation_config.json are edited as given. */
  private static Path system2(Path tmp, Consumer<JsonObject> config, Consumer<JsonObject> generation) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("system2"));
    try (var files = Files.list(SYSTEM2)) {
      for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
    }
    for (var edit : Map.of("config.json", config, "generation_config.json", generation).entrySet()) {
      JsonObject o = JsonParser.parseString(Files.readString(dir.resolve(edit.getKey()))).getAsJsonObject();
      edit.getValue().accept(o);
      Files.writeString(dir.resolve(edit.getKey()), o.toString());
    }
    return dir;
  }
}
