package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.model.v1.Sampling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Without a sampling option the commands leave sampling to the checkpoint: {@code local} uses the
 * model's generation_config.json and stops on every end-of-text token it lists, {@code generate}
 * and {@code demo} send no sampling, so the orchestrator uses System 2's.
 */
class SamplingDefaultsTest {
  private static final Path SYSTEM1 = Path.of(System.getProperty("fsgen.root", "..")).resolve("models/system1");

  @Test
  void localSamplesAndStopsAsTheCheckpointSays(@TempDir Path tmp) throws IOException {
    List<Integer> greedy = tokens(local(SYSTEM1, "--ignore-eos"));
    assertEquals(greedy, tokens(local(SYSTEM1, "--ignore-eos", "--seed", "3")), "fsgen's models are greedy by default");

    Path dir = Files.createDirectories(tmp.resolve("sampling"));
    for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "model.safetensors"}) {
      Files.copy(SYSTEM1.resolve(f), dir.resolve(f));
    }
    // an early token System 1 produces greedily, listed beside the tokenizer's end of text
    int at = 2;
    while (greedy.get(at) == 0 || greedy.subList(0, at).contains(greedy.get(at))) at++;
    assertFalse(greedy.subList(0, at).contains(0), "System 1 generates past its own end of text here: " + greedy);
    int early = greedy.get(at);
    JsonObject generation = JsonParser.parseString(Files.readString(dir.resolve("generation_config.json"))).getAsJsonObject();
    generation.add("eos_token_id", JsonParser.parseString("[0, " + early + "]"));
    generation.addProperty("do_sample", true);
    generation.addProperty("temperature", 1.5);
    Files.writeString(dir.resolve("generation_config.json"), generation.toString());

    List<Integer> sampled = tokens(local(dir, "--ignore-eos", "--seed", "3"));
    assertEquals(sampled, tokens(local(dir, "--ignore-eos", "--seed", "3")), "the same seed gives the same tokens");
    assertFalse(sampled.equals(greedy), "do_sample: true makes local sample");
    assertEquals(greedy, tokens(local(dir, "--ignore-eos", "--temperature", "0")), "an option replaces the checkpoint's sampling");
    JsonObject stopped = local(dir, "--temperature", "0");
    assertEquals(greedy.subList(0, at), tokens(stopped));
    assertEquals("eos", stopped.get("finish_reason").getAsString());

    // converting the weights keeps what the checkpoint says about generating
    Path converted = tmp.resolve("converted");
    assertEquals(0, CommandLineTest.run("convert", "--model", dir.toString(), "--out", converted.toString(), "--dtype", "f32").code());
    assertEquals(sampled, tokens(local(converted, "--ignore-eos", "--seed", "3")));
    assertEquals(greedy.subList(0, at), tokens(local(converted, "--temperature", "0")));
  }

  @Test
  void generateSendsSamplingOnlyWhenAnOptionIsGiven() {
    assertFalse(request().hasSampling(), "unset: System 2's checkpoint defaults");
    assertEquals(Sampling.newBuilder().setTemperature(0).build(), request("--temperature", "0").getSampling());
    assertEquals(Sampling.newBuilder().setTopK(5).build(), request("--top-k", "5").getSampling(), "greedy unless a temperature is given");
    assertEquals(Sampling.newBuilder().setTemperature(0.8).setTopP(0.95).build(),
        request("--temperature", "0.8", "--top-p", "0.95").getSampling());
    assertTrue(request("--top-p", "1").getSampling().hasTopP());
  }

  /** The request {@code fsgen generate} sends for these options. */
  private static GenerateRequest request(String... options) {
    List<String> args = new ArrayList<>(List.of("generate"));
    args.addAll(List.of(options));
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
    return ((GenerateCommand) parsed.subcommand().commandSpec().userObject()).options.request();
  }

  private static JsonObject local(Path model, String... options) {
    List<String> args = new ArrayList<>(List.of("local", "--json", "--model", model.toString(), "--max-tokens", "16"));
    args.addAll(List.of(options));
    return JsonOutputTest.strictJsonOf(args.toArray(String[]::new)).getAsJsonObject();
  }

  private static List<Integer> tokens(JsonObject local) {
    List<Integer> ids = new ArrayList<>();
    for (var e : local.get("token_ids").getAsJsonArray()) ids.add(e.getAsInt());
    return ids;
  }
}
