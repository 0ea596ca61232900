package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.tokenizer.BpeVocabulary;
import dev.fsgen.tokenizer.ChatTemplate;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bundled models' chat template (the chat_template of models/{system1,system1-distilled,system2}/
 * tokenizer_config.json): fsgen renders it as Jinja2 does for Hugging Face, and a chat request to
 * the bundled pair, over gRPC and over HTTP, prompts with exactly that text.
 */
class BundledChatTest {
  static final List<String> MODELS = List.of("system1", "system1-distilled", "system2");

  /** The README's streamed chat example. */
  static final List<ChatMessage> README = List.of(
      ChatOverGrpcTest.message("system", "Answer in one sentence."),
      ChatOverGrpcTest.message("user", "Where is the city?"));

  static final List<List<ChatMessage>> CONVERSATIONS = List.of(
      ChatOverGrpcTest.CONVERSATION, README, List.of(ChatOverGrpcTest.message("user", "  Name the four gospels.\n")));

  private static List<ChatTemplate.Message> messages(List<ChatMessage> conversation) {
    return conversation.stream().map(m -> new ChatTemplate.Message(m.getRole(), m.getContent())).toList();
  }

  private static JsonArray json(List<ChatMessage> conversation) {
    JsonArray out = new JsonArray();
    for (ChatMessage m : conversation) {
      JsonObject o = new JsonObject();
      o.addProperty("role", m.getRole());
      o.addProperty("content", m.getContent());
      out.add(o);
    }
    return out;
  }

  /** The prompt Python's Jinja2 renders from {@code config} for {@code conversation}, as Hugging Face renders it. */
  private static String jinja2(Path config, List<ChatMessage> conversation) throws Exception {
    Path script = Path.of(BundledChatTest.class.getResource("/jinja2-chat-template.py").toURI());
    Process p = new ProcessBuilder("python3", script.toString(), config.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(json(conversation).toString().getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "the Jinja2 script failed: " + out);
    return JsonParser.parseString(out).getAsString();
  }

  /** The bundled config is the one the tokenizer's training writes beside tokenizer.json, so retrained models get the same. */
  @Test
  void eachBundledConfigIsTheOneTheTokenizerTrainingWrites() throws Exception {
    for (String model : MODELS) {
      assertEquals(BpeVocabulary.tokenizerConfigJson(),
          Files.readString(LiveServices.ROOT.resolve("models").resolve(model).resolve("tokenizer_config.json")), model);
    }
  }

  @Test
  void eachBundledTemplateRendersAsJinja2RendersIt() throws Exception {
    assumeTrue(OpenAiHttpTest.runs("python3", "-c", "import jinja2.sandbox"), "python3 with jinja2 is not installed: the reference rendering needs it");
    for (String model : MODELS) {
      Path dir = LiveServices.ROOT.resolve("models").resolve(model);
      ChatTemplate template = ChatTemplate.load(dir);
      for (List<ChatMessage> conversation : CONVERSATIONS) {
        String rendered = template.render(messages(conversation));
        assertEquals(jinja2(dir.resolve("tokenizer_config.json"), conversation), rendered, model);
        // plain text the models can continue: every message's words in it, no turn marker but the end-of-text that opens a document
        for (ChatMessage m : conversation) assertTrue(rendered.contains(m.getContent().strip()), rendered);
        assertEquals(1, rendered.split("<\\|endoftext\\|>", -1).length - 1, rendered);
      }
    }
  }

  @Test
  void aChatRequestToTheBundledPairPromptsWithTheRenderedTemplate() throws Exception {
    Path system2 = LiveServices.ROOT.resolve("models/system2");
    String rendered = ChatTemplate.load(system2).render(messages(README));
    try (LiveServices live = LiveServices.configured(system2, b -> b.http("127.0.0.1", 0))) {
      int[] renderedIds = live.tokenizer.encode(rendered);
      // gRPC: the chat prompt is the rendered text, token for token, and generates what that text generates
      GenerateRequest.Builder base = GenerateRequest.newBuilder().setMaxTokens(12).setIgnoreEos(true);
      List<GenerateResponse> chat = live.generate(base.clone().setChat(ChatPrompt.newBuilder().addAllMessages(README)).build());
      List<GenerateResponse> text = live.generate(base.clone().setText(rendered).build());
      assertEquals(renderedIds.length, chat.get(0).getStarted().getPromptTokens());
      Generated fromChat = Generated.of(chat);
      assertEquals(12, fromChat.ids().length);
      assertArrayEquals(Generated.of(text).ids(), fromChat.ids());

      // HTTP: the README's streamed chat example answers 200 with the text the gRPC API gives
      JsonObject body = new JsonObject();
      body.addProperty("model", "system2");
      body.addProperty("stream", true);
      body.addProperty("max_tokens", 32);
      body.add("messages", json(README));
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + live.orchestrator.httpPort() + "/v1/chat/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
      assertEquals("[DONE]", data.get(data.size() - 1), r.body());
      StringBuilder streamed = new StringBuilder();
      for (String d : data.subList(0, data.size() - 1)) {
        JsonObject delta = JsonParser.parseString(d).getAsJsonObject().getAsJsonArray("choices").get(0).getAsJsonObject()
            .getAsJsonObject("delta");
        if (delta.has("content")) streamed.append(delta.get("content").getAsString());
      }
      Summary want = Generated.of(live.generate(GenerateRequest.newBuilder().setMaxTokens(32)
          .setChat(ChatPrompt.newBuilder().addAllMessages(README)).build())).summary();
      assertTrue(want.getTokens() > 0, want.toString());
      assertEquals(want.getText(), streamed.toString(), r.body());
    }
  }
}
