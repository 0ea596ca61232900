package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.fsgen.bench.Json;
import dev.fsgen.orchestrator.OrchestratorServer;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that takes {@code --json} prints a document a strict parser accepts (RFC 8259: no
 * NaN, no infinities, nothing around the value), whatever figures are missing: each command runs
 * for real, on the bundled models with small settings, and its standard output is parsed strictly.
 * The commands that need prepared corpora (eval, router, train) run where {@code data/} exists.
 */
class JsonOutputTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  /** What the command printed on standard output, parsed strictly; it must exit 0. */
  static JsonElement strictJsonOf(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    CommandLineTest.Outcome o;
    try {
      o = CommandLineTest.run(args);
    } finally {
      System.setOut(old);
    }
    String out = buffer.toString(StandardCharsets.UTF_8) + o.out();
    assertEquals(0, o.code(), String.join(" ", args) + ": " + o.err());
    try {
      return Json.parseStrict(out.trim());
    } catch (RuntimeException e) {
      throw new AssertionError(String.join(" ", args) + " printed JSON a strict parser refuses (" + e.getMessage() + "):\n" + out, e);
    }
  }

  @Test
  void theStrictParserRefusesWhatLenientOnesLetThrough() {
    for (String bad : new String[] {"{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": -Infinity}", "{a: 1}", "{\"a\": 1} x", "{\"a\": 1,}"}) {
      assertThrows(RuntimeException.class, () -> Json.parseStrict(bad), bad);
    }
    assertTrue(Json.parseStrict("{\"a\": null, \"b\": [1.5e3]}").isJsonObject());
    assertEquals("{\"a\":null,\"b\":null,\"c\":[1.0,null]}",
        Json.compact().toJson(new Doubles(Double.NaN, Float.POSITIVE_INFINITY, List.of(1.0, Double.NEGATIVE_INFINITY))));
  }

  record Doubles(double a, float b, List<Double> c) {}

  @Test
  void generateAndLocalPrintStrictJson() throws Exception {
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
         ModelServer s2 = ModelServer.of(ServiceRole.SYSTEM2).model(ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
         OrchestratorServer o = OrchestratorServer.pairing("127.0.0.1:" + s1.port(), "127.0.0.1:" + s2.port()).waitFor(Duration.ofSeconds(30))
        .listen("127.0.0.1", 0)) {
      String target = "127.0.0.1:" + o.port();
      List<String[]> runs = new ArrayList<>();
      runs.add(new String[] {"--strategy", "speculative"});
      runs.add(new String[] {"--strategy", "speculative", "--adaptive", "--temperature", "0.8", "--top-p", "0.95", "--seed", "7"});
      runs.add(new String[] {"--strategy", "system2"});
      runs.add(new String[] {"--strategy", "system1"});
      runs.add(new String[] {"--strategy", "contrastive"});
      runs.add(new String[] {"--strategy", "gated"});
      runs.add(new String[] {"--strategy", "oracle"});
      for (String[] strategy : runs) {
        List<String> args = new ArrayList<>(List.of("generate", "--target", target, "--json", "--max-tokens", "6", "--ignore-eos"));
        args.addAll(List.of(strategy));
        JsonObject g = strictJsonOf(args.toArray(String[]::new)).getAsJsonObject();
        assertEquals(6, g.getAsJsonArray("token_ids").size(), String.join(" ", strategy));
        JsonElement cf = g.getAsJsonObject("summary").get("collaboration_frequency");
        assertTrue(cf != null && cf.isJsonPrimitive(), "every summary has the collaboration frequency: " + String.join(" ", strategy) + " " + g);
      }
    }
    JsonObject local = strictJsonOf("local", "--json", "--model", ROOT.resolve("models/system1").toString(), "--max-tokens", "6",
        "--ignore-eos").getAsJsonObject();
    assertEquals(6, local.getAsJsonArray("token_ids").size());
  }

  @Test
  void benchmarkCommandsPrintStrictJsonWithMissingFiguresAsNull(@TempDir Path dir) {
    Path written = dir.resolve("figures/runtime.json");
    JsonObject runtime = strictJsonOf("bench", "runtime", "--json", "--out", written.toString(), "--model", ROOT.resolve("models/system1").toString(),
        "--prompt-tokens", "8", "--decode-tokens", "8", "--repeats", "1", "--prefill-tokens", "16").getAsJsonObject();
    assertFalse(runtime.entrySet().isEmpty());
    // --out FILE writes the very object --json prints
    assertEquals(runtime.keySet(), Json.parseStrict(readString(written)).getAsJsonObject().keySet());

    // the System 2 baseline's collaboration frequency printed NaN here
    JsonObject speculative = strictJsonOf("bench", "speculative", "--json", "--prompts", "1", "--max-tokens", "8", "--min-gamma", "1",
        "--max-gamma", "1", "--repeats", "1", "--prompt-sets", "own", "--no-adaptive", "--no-memory-bound").getAsJsonObject();
    assertTrue(speculative.has("runs"), speculative.toString());

    JsonObject concurrency = strictJsonOf("bench", "concurrency", "--json", "--streams", "1", "--max-tokens", "4",
        "--generations", "1").getAsJsonObject();
    assertFalse(concurrency.entrySet().isEmpty());

    // where llama.cpp's tools are missing the comparison is a skipped record: its figures do not exist
    JsonObject llama = strictJsonOf("bench", "llamacpp", "--json", "--work-dir", dir.resolve("gguf").toString(), "--decode-tokens", "8",
        "--prefill-tokens", "8", "--repetitions", "1", "--prompts", "1", "--greedy-tokens", "4").getAsJsonObject();
    assertFalse(llama.entrySet().isEmpty());

    // the whole suite with one part run (a part named like a bench subcommand): the others are absent, and no figure of
    // theirs may break the document
    JsonObject suite = strictJsonOf("bench", "--json", "--only", "llamacpp", "--out-dir", dir.resolve("suite").toString(),
        "--soak-minutes", "0").getAsJsonObject();
    assertFalse(suite.entrySet().isEmpty());
  }

  /** The commands that write a model report what they wrote: a safetensors directory, a GGUF file, a cost profile. */
  @Test
  void convertAndCostModelPrintWhatTheyWrote(@TempDir Path dir) {
    String system1 = ROOT.resolve("models/system1").toString();
    JsonObject converted = strictJsonOf("convert", "--json", "--model", system1, "--out", dir.resolve("f32").toString(), "--dtype", "f32")
        .getAsJsonObject();
    assertKeys(converted, "model", "out", "format", "dtype", "parameters", "bytes");
    assertEquals("safetensors", converted.get("format").getAsString());
    assertTrue(converted.get("parameters").getAsLong() > 0, converted.toString());

    JsonObject gguf = strictJsonOf("convert", "--json", "--to", "gguf", "--model", system1, "--out", dir.resolve("s1.gguf").toString())
        .getAsJsonObject();
    assertKeys(gguf, "model", "out", "format", "dtype", "tensor_type", "tensors", "vocabulary", "bytes", "pre_tokenizer", "pre_tokenizer_exact");
    assertEquals(4096, gguf.get("vocabulary").getAsInt());

    // a cost profile as large as the source is the quickest to write
    JsonObject cost = strictJsonOf("cost-model", "--json", "--model", system1, "--out", dir.resolve("cost").toString(), "--layers", "3",
        "--intermediate", "384").getAsJsonObject();
    assertKeys(cost, "model", "out", "layers", "intermediate", "parameters", "dtype");
    assertEquals(3, cost.get("layers").getAsInt());
  }

  static void assertKeys(JsonObject o, String... keys) {
    for (String k : keys) assertTrue(o.has(k), "no '" + k + "' in " + o);
  }

  static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void evalRouterAndTrainPrintStrictJsonWhereTheCorporaArePrepared(@TempDir Path dir) {
    Path data = ROOT.resolve("data");
    assumeTrue(Files.isRegularFile(data.resolve("manifest.json")), "no prepared data at " + data + " (./fsgen data)");
    strictJsonOf("eval", "--json", "--model", ROOT.resolve("models/system1").toString(), "--data", data.toString(), "--problems", "2",
        "--windows", "2");
    strictJsonOf("router", "--json", "--data", data.toString(), "--out", dir.resolve("router.json").toString(), "--prompts", "2",
        "--max-tokens", "4");
    strictJsonOf("train", "--json", "--size", "xs", "--data", data.toString(), "--out", dir.resolve("m").toString(), "--steps", "2");

    JsonObject strategies = strictJsonOf("eval", "strategies", "--json", "--out", dir.resolve("strategies.json").toString(),
        "--family", dir.resolve("no-family").toString(), "--data", data.toString(), "--problems", "2").getAsJsonObject();
    assertKeys(strategies, "pair", "proxy_tuning", "proxy_tuning_skipped", "arithmetic");
    assertTrue(strategies.get("proxy_tuning").isJsonNull(), "no family, no proxy tuning: " + strategies);
    assertFalse(strategies.getAsJsonArray("arithmetic").isEmpty(), strategies.toString());
    assertEquals(strategies, Json.parseStrict(readString(dir.resolve("strategies.json"))));
  }

  /** The family with its models already trained (the bundled System 1 standing in for xs and xs-kjv): the training is skipped, the table made. */
  @Test
  void familyPrintsItsQualityAndTrainingTimes(@TempDir Path dir) throws Exception {
    Path data = ROOT.resolve("data");
    assumeTrue(Files.isRegularFile(data.resolve("manifest.json")), "no prepared data at " + data + " (./fsgen data)");
    for (String name : new String[] {"xs", "xs-kjv"}) {
      Files.createDirectories(dir.resolve(name));
      try (var files = Files.list(ROOT.resolve("models/system1"))) {
        for (Path f : files.toList()) Files.copy(f, dir.resolve(name).resolve(f.getFileName()));
      }
    }
    JsonObject family = strictJsonOf("family", "--json", "--out-dir", dir.toString(), "--sizes", "xs", "--tuned", "xs",
        "--problems", "2", "--windows", "2", "--table-out", dir.resolve("quality.md").toString()).getAsJsonObject();
    assertKeys(family, "models", "training_seconds", "quality", "table");
    assertEquals(2, family.getAsJsonArray("quality").size(), family.toString());
    assertTrue(Files.readString(dir.resolve("quality.md")).contains("xs-kjv"));
  }
}
