package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.grpc.ClientSecurity;
import dev.fsgen.grpc.ServerSecurity;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.model.v1.Penalties;
import dev.fsgen.proto.model.v1.Sampling;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-compatible HTTP API over the real pair (System 2 with a chat template, as in
 * ChatOverGrpcTest), bearer tokens required, called by real clients: the official OpenAI client
 * for Node (the npm package openai), curl, and Java's HttpClient for what a well-behaved client
 * never sends. Every answer is checked against what the gRPC API gives for the same request.
 */
class OpenAiHttpTest {
  /** The OpenAI client's version; .ci/run installs the same one. */
  static final String OPENAI_VERSION = "6.49.0";
  private static final String TOKEN = "http-token";
  private static final int MAX_TOKENS = 12;
  private static final String PROMPT = "The church was built in";
  @TempDir static Path dir;
  static LiveServices live;
  static String base;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n");
    Path model = ChatOverGrpcTest.system2WithChatTemplate(dir);
    live = LiveServices.configured(model, b -> b.http("127.0.0.1", 0).metricsPort(0)
        .security(new ServerSecurity(null, null, null, tokens)));
    base = "http://127.0.0.1:" + live.orchestrator.httpPort();
  }

  @AfterAll
  static void stop() {
    if (live != null) live.close();
  }

  private static OrchestratorServiceGrpc.OrchestratorServiceBlockingStub grpc() {
    return live.orchestrator().withInterceptors(new ClientSecurity(null, null, null, TOKEN).tokenInterceptor());
  }

  private static Summary grpcSummary(GenerateRequest r) {
    return grpcRun(r).summary();
  }

  private static Generated grpcRun(GenerateRequest r) {
    List<GenerateResponse> events = new ArrayList<>();
    grpc().withDeadlineAfter(120, TimeUnit.SECONDS).generate(r).forEachRemaining(events::add);
    return Generated.of(events);
  }

  private static String finish(Summary s) {
    FinishReason f = s.getFinishReason();
    return f == FinishReason.FINISH_REASON_EOS || f == FinishReason.FINISH_REASON_STOP ? "stop" : "length";
  }

  private static JsonArray messagesJson() {
    JsonArray messages = new JsonArray();
    ChatOverGrpcTest.CONVERSATION.forEach(m -> {
      JsonObject o = new JsonObject();
      o.addProperty("role", m.getRole());
      o.addProperty("content", m.getContent());
      messages.add(o);
    });
    return messages;
  }

  private static void assertUsage(Summary want, JsonObject usage) {
    assertEquals(want.getPromptTokens(), usage.get("prompt_tokens").getAsInt(), usage.toString());
    assertEquals(want.getTokens(), usage.get("completion_tokens").getAsInt(), usage.toString());
    assertEquals(want.getPromptTokens() + want.getTokens(), usage.get("total_tokens").getAsInt(), usage.toString());
  }

  /** The OpenAI Node client installed under .ci/tools (installed there now if npm is here), or a skip. */
  private static Path openAiModule() throws Exception {
    Path module = LiveServices.ROOT.resolve(".ci/tools/node_modules/openai");
    assumeTrue(runs("node", "--version"), "node is not installed: the OpenAI client test needs Node.js and npm");
    if (!Files.isDirectory(module)) {
      assumeTrue(runs("npm", "--version"), "npm is not installed: the OpenAI client test needs Node.js and npm");
      // npm shares none of this JVM's standard streams: Node makes an inherited stdin non-blocking, and the test
      // JVM's stdin is the test runner's command channel, which then fails ("std/in stream corrupted")
      Path log = Files.createTempFile("npm-install-openai", ".log");
      Process p = new ProcessBuilder("npm", "install", "--silent", "--prefix", LiveServices.ROOT.resolve(".ci/tools").toString(),
          "openai@" + OPENAI_VERSION).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean installed = p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0;
      assertTrue(installed, "npm install openai@" + OPENAI_VERSION + " failed: " + Files.readString(log));
      Files.delete(log);
    }
    return module.toAbsolutePath();
  }

  /** Whether {@code command} runs here and exits 0 (a tool a test needs is installed). */
  static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void theOfficialOpenAiClientGetsWhatTheGrpcApiGives() throws Exception {
    Path module = openAiModule();
    Path script = Path.of(OpenAiHttpTest.class.getResource("/openai-client.js").toURI());
    ProcessBuilder pb = new ProcessBuilder("node", script.toString());
    pb.environment().put("OPENAI_MODULE", module.toString());
    pb.environment().put("FSGEN_BASE_URL", base + "/v1");
    pb.environment().put("FSGEN_TOKEN", TOKEN);
    pb.environment().put("FSGEN_MODEL", "system2-chat");
    pb.environment().put("FSGEN_MESSAGES", messagesJson().toString());
    pb.environment().put("FSGEN_PROMPT", PROMPT);
    pb.environment().put("FSGEN_MAX_TOKENS", Integer.toString(MAX_TOKENS));
    // its stderr goes to a file, not to this JVM's (see openAiModule: Node may make a stream it inherits non-blocking)
    Path errors = Files.createTempFile("openai-client", ".err");
    pb.redirectError(errors.toFile());
    Process p = pb.start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the node script finished");
    assertEquals(0, p.exitValue(), "the node script failed; it printed: " + printed + "\nstderr: " + Files.readString(errors));
    Files.delete(errors);
    JsonObject got = JsonParser.parseString(printed).getAsJsonObject();

    // differential: the same conversation, greedy, over gRPC
    Summary chat = grpcSummary(GenerateRequest.newBuilder().setChat(ChatPrompt.newBuilder()
        .addAllMessages(ChatOverGrpcTest.CONVERSATION)).setMaxTokens(MAX_TOKENS).build());
    assertTrue(chat.getTokens() > 0, chat.toString());
    JsonObject whole = got.getAsJsonObject("chat");
    JsonObject choice = whole.getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals("chat.completion", whole.get("object").getAsString());
    assertEquals("assistant", choice.getAsJsonObject("message").get("role").getAsString());
    assertEquals(chat.getText(), choice.getAsJsonObject("message").get("content").getAsString(), whole.toString());
    assertEquals(finish(chat), choice.get("finish_reason").getAsString());
    assertUsage(chat, whole.getAsJsonObject("usage"));
    // the extension: every token's producer, and the summary
    JsonObject fsgen = whole.getAsJsonObject("fsgen");
    assertEquals(chat.getTokens(), fsgen.getAsJsonArray("tokens").size(), fsgen.toString());
    for (JsonElement t : fsgen.getAsJsonArray("tokens")) {
      assertTrue(t.getAsJsonObject().get("producer").getAsString().startsWith("TOKEN_PRODUCER_SYSTEM"), t.toString());
    }
    assertEquals(chat.getFinishReason().name(), fsgen.getAsJsonObject("summary").get("finish_reason").getAsString());
    assertEquals(chat.getText(), fsgen.getAsJsonObject("summary").get("text").getAsString());

    // streamed: the same text, role first, the finish reason, the usage chunk, provenance of every token
    JsonObject streamed = got.getAsJsonObject("streamed");
    assertEquals(chat.getText(), streamed.get("text").getAsString(), streamed.toString());
    assertEquals("assistant", streamed.get("role").getAsString());
    assertEquals(finish(chat), streamed.get("finish_reason").getAsString());
    assertUsage(chat, streamed.getAsJsonObject("usage"));
    assertEquals(chat.getTokens(), streamed.get("provenance").getAsInt());
    assertEquals(chat.getTokens(), streamed.getAsJsonObject("summary").get("tokens").getAsInt());
    assertTrue(streamed.get("chunks").getAsInt() >= 3, "chunks of tokens, the last one, the usage: " + streamed);

    // a completion with fsgen's strategy: System 2 alone over gRPC gives the same
    Summary text = grpcSummary(GenerateRequest.newBuilder().setText(PROMPT).setMaxTokens(MAX_TOKENS)
        .setStrategy(StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance())).build());
    JsonObject completion = got.getAsJsonObject("completion");
    JsonObject c = completion.getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals("text_completion", completion.get("object").getAsString());
    assertEquals(text.getText(), c.get("text").getAsString(), completion.toString());
    assertEquals(finish(text), c.get("finish_reason").getAsString());
    assertUsage(text, completion.getAsJsonObject("usage"));
    assertTrue(completion.getAsJsonObject("fsgen").get("strategy").getAsString().startsWith("system2"), completion.toString());
    for (JsonElement t : completion.getAsJsonObject("fsgen").getAsJsonArray("tokens")) {
      assertEquals("TOKEN_PRODUCER_SYSTEM2", t.getAsJsonObject().get("producer").getAsString());
    }

    // the served pair: System 2's model as the model, System 1 named beside it
    JsonArray models = got.getAsJsonArray("models");
    assertEquals(1, models.size(), models.toString());
    assertEquals("system2-chat", models.get(0).getAsJsonObject().get("id").getAsString());
    assertEquals("system1", models.get(0).getAsJsonObject().getAsJsonObject("fsgen").get("system1").getAsString());

    // a parameter not supported yet, as the client reports it
    JsonObject refused = got.getAsJsonObject("refused");
    assertEquals(400, refused.get("status").getAsInt(), refused.toString());
    assertEquals("logit_bias", refused.get("param").getAsString(), refused.toString());

    // penalties and log-probabilities, whole and streamed, as the gRPC API gives them
    Generated penalisedRun = grpcRun(GenerateRequest.newBuilder().setChat(ChatPrompt.newBuilder()
        .addAllMessages(ChatOverGrpcTest.CONVERSATION)).setMaxTokens(MAX_TOKENS).setTopLogprobs(3)
        .setSampling(Sampling.newBuilder().setPenalties(Penalties.newBuilder().setPresence(0.5).setFrequency(0.3))).build());
    Summary penalised = penalisedRun.summary();
    List<Token> tokens = penalisedRun.tokens();
    JsonObject lp = got.getAsJsonObject("logprobs");
    assertEquals(penalised.getText(), lp.get("text").getAsString(), lp.toString());
    for (String form : new String[] {"content", "streamed_content"}) {
      JsonArray content = lp.getAsJsonArray(form);
      assertEquals(tokens.size(), content.size(), form);
      for (int i = 0; i < tokens.size(); i++) {
        JsonObject e = content.get(i).getAsJsonObject();
        assertEquals(tokens.get(i).getLogprob().getText(), e.get("token").getAsString(), form + " " + i);
        assertEquals(tokens.get(i).getLogprob().getLogprob(), e.get("logprob").getAsFloat(), 1e-6, form + " " + i);
        JsonArray top = e.getAsJsonArray("top_logprobs");
        assertEquals(3, top.size());
        for (int k = 0; k < 3; k++) {
          assertEquals(tokens.get(i).getTopLogprobs(k).getText(), top.get(k).getAsJsonObject().get("token").getAsString());
        }
        // greedy: the token is the most likely one
        assertEquals(e.get("logprob").getAsFloat(), top.get(0).getAsJsonObject().get("logprob").getAsFloat(), 1e-6);
      }
    }
  }

  @Test
  void curlShowsAStreamedChatCompletionAsServerSentEvents() throws Exception {
    assumeTrue(runs("curl", "--version"), "curl is not installed");
    JsonObject body = new JsonObject();
    body.add("messages", messagesJson());
    body.addProperty("max_tokens", MAX_TOKENS);
    body.addProperty("stream", true);
    Process p = new ProcessBuilder("curl", "-sS", "-N", base + "/v1/chat/completions", "-H", "Authorization: Bearer " + TOKEN,
        "-H", "Content-Type: application/json", "-d", body.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    List<String> data = out.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    assertTrue(data.size() >= 3, out);
    assertEquals("[DONE]", data.get(data.size() - 1), out);
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonObject chunk = JsonParser.parseString(d).getAsJsonObject();
      assertEquals("chat.completion.chunk", chunk.get("object").getAsString(), d);
      JsonObject delta = chunk.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
      if (delta.has("content")) text.append(delta.get("content").getAsString());
    }
    Summary chat = grpcSummary(GenerateRequest.newBuilder().setChat(ChatPrompt.newBuilder()
        .addAllMessages(ChatOverGrpcTest.CONVERSATION)).setMaxTokens(MAX_TOKENS).build());
    assertEquals(chat.getText(), text.toString());
  }

  private static HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) r.header("Authorization", token);
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The error object of a refused request, checked for OpenAI's shape. */
  private static JsonObject error(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
    JsonObject e = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
    assertNotNull(e, r.body());
    for (String k : new String[] {"message", "type", "param", "code"}) assertTrue(e.has(k), k + " in " + r.body());
    return e;
  }

  private static String param(JsonObject error) {
    return error.get("param").isJsonNull() ? null : error.get("param").getAsString();
  }

  @Test
  void stopSequencesEndTheTextAsOverGrpcWholeAndStreamed() throws Exception {
    Summary whole = grpcSummary(GenerateRequest.newBuilder().setText(PROMPT).setMaxTokens(32).build());
    String text = whole.getText();
    String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
    Summary cut = grpcSummary(GenerateRequest.newBuilder().setText(PROMPT).setMaxTokens(32).addStop(stop).build());
    assertEquals(FinishReason.FINISH_REASON_STOP, cut.getFinishReason());
    JsonObject body = new JsonObject();
    body.addProperty("prompt", PROMPT);
    body.addProperty("max_tokens", 32);
    body.addProperty("stop", stop);
    HttpResponse<String> r = post("/v1/completions", "Bearer " + TOKEN, body.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject choice = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("choices").get(0).getAsJsonObject();
    assertEquals(cut.getText(), choice.get("text").getAsString());
    assertEquals("stop", choice.get("finish_reason").getAsString());
    // streamed: the chunks' text, held text included, is the same cut text
    body.addProperty("stream", true);
    StringBuilder streamed = new StringBuilder();
    String finish = null;
    for (String line : post("/v1/completions", "Bearer " + TOKEN, body.toString()).body().split("\n")) {
      if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
      JsonObject chunk = JsonParser.parseString(line.substring(6)).getAsJsonObject();
      for (var c : chunk.getAsJsonArray("choices")) {
        streamed.append(c.getAsJsonObject().get("text").getAsString());
        if (!c.getAsJsonObject().get("finish_reason").isJsonNull()) finish = c.getAsJsonObject().get("finish_reason").getAsString();
      }
    }
    assertEquals(cut.getText(), streamed.toString());
    assertEquals("stop", finish);
  }

  @Test
  void nChoicesAreTheGrpcApisChoicesWholeAndStreamed() throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("prompt", PROMPT);
    body.addProperty("max_tokens", 16);
    body.addProperty("temperature", 0.9);
    body.addProperty("seed", 7);
    body.addProperty("n", 3);
    HttpResponse<String> r = post("/v1/completions", "Bearer " + TOKEN, body.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject whole = JsonParser.parseString(r.body()).getAsJsonObject();
    JsonArray choices = whole.getAsJsonArray("choices");
    assertEquals(3, choices.size());
    int completion = 0;
    for (int i = 0; i < 3; i++) {
      Summary want = grpcSummary(GenerateRequest.newBuilder().setText(PROMPT).setMaxTokens(16)
          .setSampling(dev.fsgen.proto.model.v1.Sampling.newBuilder().setTemperature(0.9)).setSeed(7 + i).build());
      JsonObject c = choices.get(i).getAsJsonObject();
      assertEquals(i, c.get("index").getAsInt());
      assertEquals(want.getText(), c.get("text").getAsString(), "choice " + i + " is the generation with seed 7 + " + i);
      completion += want.getTokens();
    }
    assertEquals(completion, whole.getAsJsonObject("usage").get("completion_tokens").getAsInt());
    assertEquals(3, whole.getAsJsonObject("fsgen").getAsJsonArray("choices").size());
    // streamed: each choice's chunks carry its index, and add up to the same texts
    body.addProperty("stream", true);
    String[] streamed = {"", "", ""};
    int done = 0;
    for (String line : post("/v1/completions", "Bearer " + TOKEN, body.toString()).body().split("\n")) {
      if (line.equals("data: [DONE]")) done++;
      if (!line.startsWith("data: {")) continue;
      for (var c : JsonParser.parseString(line.substring(6)).getAsJsonObject().getAsJsonArray("choices")) {
        int i = c.getAsJsonObject().get("index").getAsInt();
        streamed[i] += c.getAsJsonObject().get("text").getAsString();
      }
    }
    assertEquals(1, done, "one [DONE], after the last choice");
    for (int i = 0; i < 3; i++) assertEquals(choices.get(i).getAsJsonObject().get("text").getAsString(), streamed[i]);
    assertEquals("n", param(error(post("/v1/completions", "Bearer " + TOKEN, "{\"prompt\": \"x\", \"n\": 9}"), 400)));
  }

  @Test
  void badInputIsRefusedInOpenAisErrorShapeNamingTheParameter() throws Exception {
    String bearer = "Bearer " + TOKEN;
    String ok = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 2";
    assertEquals(200, post("/v1/completions", bearer, ok + "}").statusCode());

    assertEquals("invalid_request_error", error(post("/v1/completions", bearer, "{\"prompt\": "), 400).get("type").getAsString());
    error(post("/v1/completions", bearer, "{prompt: 'lenient'}"), 400);
    error(post("/v1/completions", bearer, "[1, 2]"), 400);

    JsonObject e = error(post("/v1/completions", bearer, ok + ", \"fsgen\": {\"strategy\": {\"telepathy\": {}}}}"), 400);
    assertTrue(e.get("message").getAsString().contains("telepathy"), e.toString());
    e = error(post("/v1/completions", bearer, ok + ", \"fsgen\": {\"strategy\": {\"speculative\": {\"gamma\": 1000}}}}"), 400);
    assertEquals("fsgen.strategy.speculative.gamma", param(e), e.toString());
    e = error(post("/v1/completions", bearer, ok + ", \"fsgen\": {\"max_tokens\": 3}}"), 400);
    assertEquals("fsgen.max_tokens", param(e), e.toString());

    // the orchestrator's own checks, named as the client knows the parameter
    assertEquals("temperature", param(error(post("/v1/completions", bearer, ok + ", \"temperature\": -1}"), 400)));
    assertEquals("max_tokens", param(error(post("/v1/completions", bearer, ok.replace("2", "100000") + "}"), 400)));
    assertEquals("prompt", param(error(post("/v1/completions", bearer, "{\"prompt\": \"\"}"), 400)));
    assertEquals("messages[0].role", param(error(post("/v1/chat/completions", bearer,
        "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}"), 400)));

    // not supported yet, or unknown: refused, named
    assertEquals("stop", param(error(post("/v1/completions", bearer, ok + ", \"stop\": 5}"), 400)));
    assertEquals("stop[0]", param(error(post("/v1/completions", bearer, ok + ", \"stop\": [\"\"]}"), 400)));
    for (String p : new String[] {"\"logit_bias\": {\"11\": 5}", "\"top_k\": 5", "\"best_of\": 3"}) {
      String name = p.substring(1, p.indexOf('"', 1));
      assertEquals(name, param(error(post("/v1/completions", bearer, ok + ", " + p + "}"), 400)), p);
    }
    // penalties and log-probabilities out of range, named as the client sent them
    assertEquals("presence_penalty", param(error(post("/v1/completions", bearer, ok + ", \"presence_penalty\": 2.5}"), 400)));
    assertEquals("frequency_penalty", param(error(post("/v1/completions", bearer, ok + ", \"frequency_penalty\": -3}"), 400)));
    assertEquals("repetition_penalty", param(error(post("/v1/completions", bearer, ok + ", \"repetition_penalty\": 0}"), 400)));
    assertEquals("logprobs", param(error(post("/v1/completions", bearer, ok + ", \"logprobs\": 21}"), 400)));
    String chatOk = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2";
    assertEquals("top_logprobs", param(error(post("/v1/chat/completions", bearer, chatOk + ", \"top_logprobs\": 3}"), 400)));
    assertEquals("top_logprobs", param(error(post("/v1/chat/completions", bearer, chatOk + ", \"logprobs\": true, \"top_logprobs\": 30}"),
        400)));
    // ... while their defaults, and what cannot change the output, are accepted
    assertEquals(200, post("/v1/completions", bearer, ok + ", \"n\": 1, \"stop\": null, \"presence_penalty\": 0, \"user\": \"u1\"}")
        .statusCode());
    assertEquals("model", param(error(post("/v1/completions", bearer, ok + ", \"model\": \"gpt-4o\"}"), 404)));

    // bearer tokens, as gRPC checks them
    assertEquals("authentication_error", error(post("/v1/completions", null, ok + "}"), 401).get("type").getAsString());
    error(post("/v1/completions", "Bearer wrong", ok + "}"), 401);
    error(post("/v1/chat/completions", "Bearer wrong", "{\"messages\": [], \"stream\": true}"), 401);
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    error(models, 401);

    // the body size limit (the orchestrator's message limit), declared or chunked
    String huge = ok + ", \"user\": \"" + "x".repeat(OrchestratorLimits.DEFAULT.maxMessageBytes()) + "\"}";
    // declared: answered from the head, before any of the body is read (curl waits for 100 Continue to send a large one)
    try (Socket s = new Socket("127.0.0.1", live.orchestrator.httpPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + bearer
          + "\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: " + huge.length() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      assertTrue(status.startsWith("HTTP/1.1 413"), status);
    }
    HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/v1/completions")).header("Authorization", bearer)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))))
        .build();
    error(HTTP.send(chunked, HttpResponse.BodyHandlers.ofString()), 413);

    error(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/embeddings")).header("Authorization", bearer)
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()), 404);
    error(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions")).header("Authorization", bearer).GET().build(),
        HttpResponse.BodyHandlers.ofString()), 405);
  }

  @Test
  void healthAnswersWithoutAToken() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("SERVING", JsonParser.parseString(r.body()).getAsJsonObject().get("status").getAsString());
  }

  @Test
  void aClientThatLeavesMidStreamCancelsItsGeneration() throws Exception {
    JsonObject body = new JsonObject();
    body.addProperty("prompt", PROMPT);
    body.addProperty("max_tokens", 900);
    body.addProperty("stream", true);
    body.add("fsgen", JsonParser.parseString("{\"session_id\": \"leaves-mid-stream\", \"ignore_eos\": true}"));
    byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", live.orchestrator.httpPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(json);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("data: ")) { /* the headers */ }
      assertNotNull(line, "a first event");
    }
    // the generation stops: counted as cancelled, and its session id free again long before 900 tokens
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!metrics().contains("code=\"CANCELLED\"")) {
      assertTrue(System.nanoTime() < until, "no cancelled generation counted:\n" + metrics());
      Thread.sleep(100);
    }
    String again = "{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 1, \"fsgen\": {\"session_id\": \"leaves-mid-stream\"}}";
    assertEquals(200, post("/v1/completions", "Bearer " + TOKEN, again).statusCode());
  }

  private static String metrics() throws Exception {
    List<String> lines = new ArrayList<>();
    URI uri = URI.create("http://127.0.0.1:" + live.orchestrator.metricsPort() + "/metrics");
    try (InputStream in = uri.toURL().openStream()) {
      new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("fsgen_generations_total")).forEach(lines::add);
    }
    return String.join("\n", lines);
  }
}
