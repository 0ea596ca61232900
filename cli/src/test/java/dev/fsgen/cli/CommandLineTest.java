package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GetInfoRequest;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.training.data.DataPreparer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand answers --help, and bad input gets a one-line message naming the option, never a stack trace. */
class CommandLineTest {
  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"data", "train", "family", "eval", "local", "generate", "demo", "serve", "router", "convert", "cost-model", "bench", "study", "launch"}) {
      Outcome o = run(sub, "--help");
      assertEquals(0, o.code(), sub);
      assertTrue(o.out().contains("Usage: fsgen " + sub), sub + ": " + o.out());
    }
    assertTrue(run("bench", "runtime", "--help").out().contains("--json"));
    assertTrue(run("bench", "--help").out().contains("--soak-minutes"));
  }

  @Test
  void badValuesNameTheOption(@TempDir Path dir) {
    assertError(run("train", "--size", "huge", "--out", dir.toString()), "--size");
    assertError(run("local", "--max-tokens", "0", "--model", dir.toString()), "--max-tokens");
    assertError(run("local", "--temperature", "-1", "--model", dir.toString()), "temperature");
    assertError(run("local", "--top-p", "1.5", "--model", dir.toString()), "top_p");
    assertError(run("local", "--presence-penalty", "3", "--model", dir.toString()), "--presence-penalty must be in [-2, 2]");
    assertError(run("generate", "--repetition-penalty", "0", "--target", "127.0.0.1:1"), "--repetition-penalty must be in");
    assertError(run("local", "--model", dir.resolve("missing").toString()), "not a model directory");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--domain", "kjv", "--data", dir.toString()), "--init");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--dtype", "int8"), "--dtype");
    assertError(run("eval", "--problems", "0"), "--problems");
    // refused before any model of the family is trained
    assertError(run("family", "--out-dir", dir.resolve("family").toString(), "--windows", "1"), "--windows must be at least 2");
    assertFalse(Files.exists(dir.resolve("family/xs")), "a model was trained before the bad --windows was refused");
    assertError(run("generate", "--system", "Be brief.", "--target", "127.0.0.1:1"), "--system needs --chat");
    assertError(run("study", "--quick", "--prompts", "0"), "--prompts");
    assertError(run("study", "--family", dir.resolve("none").toString()), "./fsgen family");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--data", dir.toString()), "run ./fsgen data");
    assertError(run("data", "--skip-fetch", "--out", dir.toString(), "--mixture", "bundled", "--train-cap", "commentary=1000"), "bundled mixture");
    // the default mixture is the broad one: its caps are taken, and the missing raw data is named
    assertError(run("data", "--skip-fetch", "--out", dir.toString(), "--train-cap", "commentary=1000"), "raw data directory not found");
    assertError(run("data", "--skip-fetch", "--out", dir.toString(), "--mixture", "broad", "--train-cap", "brown=1000"), "brown");
    assertError(run("bench", "--soak-minutes", "1", "--out-dir", dir.toString()), "--soak-minutes");
    assertError(run("bench", "--only", "speed", "--out-dir", dir.toString()), "--only");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--teacher", dir.resolve("none").toString(),
        "--distil-weight", "2"), "weight");
  }

  /** What a command printed on System.out (where the generation printer writes), as JSON. */
  /**
   * A model service asked for a device it cannot use refuses to start with one line naming the option, from
   * {@code fsgen serve} and from the service's own entry point (the images' command).
   */
  @Test
  void aDeviceTheEngineLacksIsRefusedAtStartup() {
    assertError(run("serve", "system2", "--port", "0", "--device", "tpu"), "--device must be cpu, cuda or cuda:N, got 'tpu'");
    assertError(run("serve", "system1", "--port", "0", "--decode-path", "jit"), "--decode-path must be java or libtorch");
    assertError(run("serve", "system2", "--port", "0", "--device", "cuda", "--decode-path", "java"), "--decode-path libtorch");
    assumeTrue(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine's libtorch sees a GPU");
    assertError(run("serve", "system2", "--port", "0", "--device", "cuda"), "--device cuda:0: the PyTorch engine sees no GPU");
    CommandLine image = dev.fsgen.service.ModelServerOptions.commandLine(new dev.fsgen.system2.System2Main(), "system2");
    StringWriter err = new StringWriter();
    image.setErr(new PrintWriter(err));
    assertError(new Outcome(image.execute("--port", "0", "--device", "cuda:1"), "", err.toString()), "system2: --device cuda:1: the PyTorch engine sees no GPU");
  }

  private static JsonObject jsonOf(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    Outcome o;
    try {
      o = run(args);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, o.code(), o.err());
    return dev.fsgen.bench.Json.parseStrict(buffer.toString(StandardCharsets.UTF_8).trim()).getAsJsonObject();
  }

  @Test
  void theMainCommandRunsACollaborativeGenerationThroughTheServices() {
    // a free HTTP port: 8080 may be another program's
    JsonObject spec = jsonOf("demo", "--json", "--max-tokens", "12", "--ignore-eos", "--warmup", "0", "--http-port", "0");
    JsonObject alone = jsonOf("demo", "--json", "--max-tokens", "12", "--ignore-eos", "--warmup", "0", "--http-port", "0", "--strategy", "system2");
    assertEquals(12, spec.getAsJsonArray("token_ids").size());
    assertEquals(12, spec.getAsJsonArray("producers").size());
    assertEquals(alone.get("token_ids"), spec.get("token_ids"), "greedy speculative decoding is System 2's own output");
    assertEquals(alone.get("text"), spec.get("text"));
    JsonObject summary = spec.getAsJsonObject("summary");
    assertEquals(12, summary.get("tokens").getAsInt());
    assertTrue(summary.get("system2_calls").getAsInt() < 12, "System 2 was called less than once per token");
    assertTrue(spec.getAsJsonArray("producers").toString().contains("system1_accepted"));
    // System 2 alone reports the collaboration frequency too (System 1 scores its text afterwards)
    double cf = alone.getAsJsonObject("summary").get("collaboration_frequency").getAsDouble();
    assertTrue(cf >= 0 && cf <= 1, "collaboration frequency " + cf);
  }

  /** What CI runs of the study: {@code study --quick} on the bundled pair, on data prepared from the fetched corpora. */
  @Test
  void theQuickStudyWritesItsReportAndKeepsItsMeasurementsApart(@TempDir Path dir) throws Exception {
    Path raw = Path.of(System.getProperty("fsgen.root", "..")).resolve("data/raw");
    assumeTrue(Files.isRegularFile(raw.resolve("brown/CONTENTS")), "no fetched corpus at " + raw);
    DataPreparer.prepare(DataPreparer.Options.defaults(raw, dir.resolve("data")), m -> {});
    String[] quick = {"study", "--quick", "--json", "--data", dir.resolve("data").toString(), "--work", dir.resolve("work").toString(),
        "--out-dir", dir.resolve("report").toString(), "--prompts", "2", "--tokens", "8", "--problems", "6"};
    JsonObject figures = jsonOf(quick);
    assertTrue(Files.readString(dir.resolve("report/README.md")).contains("## 6. Side by side with FS-GEN"));
    for (String key : new String[] {"report", "measurements", "quick", "models", "pairs", "seconds", "units", "router_sweep"}) {
      assertTrue(figures.has(key), "no '" + key + "' in " + figures);
    }
    assertEquals(1, figures.get("pairs").getAsInt());
    assertFalse(figures.getAsJsonArray("units").isEmpty());
    // other prompt sizes would mix with the saved measurements: refused, with the way out named
    quick[quick.length - 3] = "3";
    assertError(run(quick), "--fresh");
  }

  /**
   * The local launcher: the manifests' topology as processes, System 2 replicated, one generation
   * through it, over gRPC and over the HTTP API; a replica killed with kill -9 is started again by
   * the launcher and serves.
   */
  @Test
  void theLauncherRunsTheTopologyAsProcesses(@TempDir Path dir) throws Exception {
    LaunchCommand launch = new LaunchCommand();
    new CommandLine(launch).parseArgs("--system2-replicas", "2", "--port", "0", "--http-port", "0", "--threads", "1", "--logs", dir.toString(),
        "--restart-backoff-ms", "200");
    LaunchCommand defaults = new LaunchCommand();
    DemoCommand demo = new DemoCommand();
    new CommandLine(defaults).parseArgs();
    new CommandLine(demo).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
    assertEquals(List.of(8080, 8080), List.of(defaults.httpPort, demo.httpPort), "the HTTP port the manifests and the README's curl examples use");
    List<Process> started = new java.util.ArrayList<>();
    try (LocalTopology t = launch.start()) {
      started.addAll(t.processes());
      assertEquals(4, started.size());
      io.grpc.ManagedChannel c = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", t.orchestratorPort())
          .usePlaintext().build();
      try {
        var info = OrchestratorServiceGrpc.newBlockingStub(c).getInfo(GetInfoRequest.getDefaultInstance());
        // the ConfigMap's settings reached the orchestrator
        assertEquals(Integer.parseInt(LocalTopology.settings(Path.of(System.getProperty("fsgen.root", "..")).resolve("deploy/base/config.yaml"))
            .get("FSGEN_MAX_CONCURRENT")), info.getMaxConcurrentGenerations());
        assertEquals(8, tokens(c, "The history of the city", 8));
        // the HTTP API on its port, as the orchestrator's pod opens it
        HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + t.httpPort + "/v1/completions")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\": \"The history of the city\", \"max_tokens\": 8, \"fsgen\": {\"ignore_eos\": true}}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, http.statusCode(), http.body());
        assertEquals(8, JsonParser.parseString(http.body()).getAsJsonObject().getAsJsonObject("usage").get("completion_tokens").getAsInt(), http.body());

        // kill -9 a System 2 replica: the launcher starts it again on its port, and it serves
        Process killed = t.process("system2-0");
        new ProcessBuilder("kill", "-9", String.valueOf(killed.pid())).inheritIO().start().waitFor();
        assertTrue(killed.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (t.restarts("system2-0") == 0 && System.nanoTime() < until) Thread.sleep(50);
        assertEquals(1, t.restarts("system2-0"), "the launcher restarted the killed replica");
        Process back = t.process("system2-0");
        assertNotEquals(killed.pid(), back.pid());
        started.add(back);
        t.awaitServing("system2-0");
        io.grpc.ManagedChannel replica = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1",
            t.ports.get("system2-0")).usePlaintext().build();
        try {
          var verified = dev.fsgen.proto.model.v1.ModelServiceGrpc.newBlockingStub(replica).batchVerify(dev.fsgen.proto.model.v1.BatchVerifyRequest
              .newBuilder().setSessionId("after-restart").addPrefix(5).addPrefix(6).addDraft(7).build());
          assertEquals(2, verified.getArgmaxCount(), "the restarted replica answers");
        } finally {
          replica.shutdownNow();
        }
        String log = Files.readString(dir.resolve("system2-0.log"));
        // every JVM says so as it starts: the first process's lines and the restarted one's, in one file
        assertEquals(2, log.split("Using incubator modules", -1).length - 1, "its log goes on in the same file: " + log);
        assertEquals(8, tokens(c, "The church was built in", 8), "the orchestrator generates with the restarted replica among its own");
      } finally {
        c.shutdownNow();
      }
    }
    for (Process p : started) assertFalse(p.isAlive(), "every process stopped, the restarted one too");
  }

  /** Tokens streamed by one generation through the orchestrator on {@code c}. */
  private static int tokens(io.grpc.ManagedChannel c, String prompt, int max) {
    int tokens = 0;
    for (var it = OrchestratorServiceGrpc.newBlockingStub(c).generate(
        GenerateRequest.newBuilder().setText(prompt).setMaxTokens(max).setIgnoreEos(true).build()); it.hasNext(); ) {
      var e = it.next();
      if (e.hasTokens()) tokens += e.getTokens().getTokensCount();
    }
    return tokens;
  }

  /**
   * The command lists of {@code fsgen --help} and of every command with subcommands ({@code bench},
   * {@code eval}, {@code serve}) show each command's whole summary: its first description line,
   * one complete sentence, on one line of the list, never a line cut short with the rest left out.
   */
  @Test
  void theHelpListsEachCommandWithItsWholeSummary() {
    List<CommandLine> parents = new java.util.ArrayList<>(List.of(Main.commandLine()));
    for (int i = 0; i < parents.size(); i++) {
      CommandLine parent = parents.get(i);
      String help = parent.getUsageMessage(CommandLine.Help.Ansi.OFF);
      List<String> listed = help.lines().dropWhile(l -> !l.equals("Commands:")).skip(1).takeWhile(l -> !l.isBlank()).toList();
      assertEquals(parent.getSubcommands().size(), listed.size(), "one line per command, none wrapped:\n" + help);
      for (var e : parent.getSubcommands().entrySet()) {
        CommandLine.Model.UsageMessageSpec usage = e.getValue().getCommandSpec().usageMessage();
        String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
        assertTrue(summary.endsWith("."), e.getKey() + "'s summary is not a sentence: " + summary);
        assertTrue(listed.stream().anyMatch(l -> l.matches("\\s+" + java.util.regex.Pattern.quote(e.getKey()) + "\\s+"
            + java.util.regex.Pattern.quote(summary))), e.getKey() + ": '" + summary + "' not whole in:\n" + help);
        if (!e.getValue().getSubcommands().isEmpty()) parents.add(e.getValue());
      }
    }
    assertTrue(parents.stream().anyMatch(p -> p.getCommandName().equals("serve")), "serve's services are listed too");
  }

  /**
   * picocli formats every help text as a format string: a '%' that is not '%%' or '%n' is printed
   * raw, with a warning, instead of the text meant. Every command's and option's text, as written
   * in its annotation, formats.
   */
  @Test
  void everyHelpTextFormats() {
    List<CommandLine> commands = new java.util.ArrayList<>(List.of(Main.commandLine()));
    for (int i = 0; i < commands.size(); i++) {
      CommandLine.Model.CommandSpec spec = commands.get(i).getCommandSpec();
      List<String> texts = new java.util.ArrayList<>();
      CommandLine.Command command = spec.userObject().getClass().getAnnotation(CommandLine.Command.class);
      if (command != null) {
        texts.addAll(List.of(command.description()));
        texts.addAll(List.of(command.header()));
      }
      for (CommandLine.Model.ArgSpec arg : spec.args()) {
        if (!(arg.userObject() instanceof java.lang.reflect.AnnotatedElement element)) continue;
        CommandLine.Option option = element.getAnnotation(CommandLine.Option.class);
        CommandLine.Parameters parameters = element.getAnnotation(CommandLine.Parameters.class);
        if (option != null) texts.addAll(List.of(option.description()));
        if (parameters != null) texts.addAll(List.of(parameters.description()));
      }
      for (String text : texts) {
        try {
          String.format(text);
        } catch (java.util.IllegalFormatException e) {
          fail(spec.qualifiedName() + ": '" + text + "' is no format string (" + e.getMessage() + "): write % as %%");
        }
      }
      commands.addAll(commands.get(i).getSubcommands().values());
    }
  }

  private static void assertError(Outcome o, String expected) {
    assertNotEquals(0, o.code(), o.err());
    assertTrue(o.err().contains(expected), "expected '" + expected + "' in: " + o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
  }
}
