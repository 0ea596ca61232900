package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.tokenizer.ChatTemplate;
import dev.fsgen.tokenizer.TextTokenizer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat prompts through real gRPC: System 2 serves a copy of models/system2 with a
 * tokenizer_config.json of its own, whose ChatML-like template marks turns with the tokenizer's own
 * special token, and the orchestrator renders the messages with it. (The bundled template is
 * BundledChatTest's; a System 2 without a template is a row of HostileInputTest.)
 */
class ChatOverGrpcTest {
  /** Turns end with EOS (<|endoftext|>, the bundled tokenizer's special token); a conversation ending with the assistant is refused. */
  static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content | trim }}{{ eos_token }}\n{% endfor %}"
      + "{% if messages[-1].role == 'assistant' %}{{ raise_exception('the last message is the assistant\\'s: nothing to answer') }}{% endif %}"
      + "{% if add_generation_prompt %}assistant:{% endif %}";

  static final List<ChatMessage> CONVERSATION = List.of(
      message("system", "You answer in one short sentence."),
      message("user", "Where is the city?"),
      message("assistant", "The city is by the river."),
      message("user", "And the river?"));

  static ChatMessage message(String role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  static Path system2WithChatTemplate(Path tmp) throws Exception {
    Path dir = LiveServices.system2WithoutTokenizerConfig(tmp, "system2-chat");
    JsonObject config = new JsonObject();
    config.addProperty("bos_token", "<|endoftext|>");
    config.addProperty("eos_token", "<|endoftext|>");
    config.addProperty("chat_template", TEMPLATE);
    Files.writeString(dir.resolve("tokenizer_config.json"), config.toString(), StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void aChatPromptGeneratesWhatItsRenderedTextGenerates(@TempDir Path tmp) throws Exception {
    Path model = system2WithChatTemplate(tmp);
    String rendered = ChatTemplate.load(model).render(CONVERSATION.stream()
        .map(m -> new ChatTemplate.Message(m.getRole(), m.getContent())).toList());
    int[] renderedIds;
    int eos;
    try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
      renderedIds = tokenizer.encode(rendered);
      eos = tokenizer.eosId();
    }
    // BOS and one EOS per turn, each a single id
    assertEquals(1 + CONVERSATION.size(), Arrays.stream(renderedIds).filter(id -> id == eos).count(), rendered);

    try (LiveServices live = new LiveServices(model)) {
      GenerateRequest.Builder base = GenerateRequest.newBuilder().setMaxTokens(12).setIgnoreEos(true);
      List<GenerateResponse> chat = live.generate(base.clone().setChat(ChatPrompt.newBuilder().addAllMessages(CONVERSATION)).build());
      List<GenerateResponse> text = live.generate(base.clone().setText(rendered).build());
      assertEquals(renderedIds.length, chat.get(0).getStarted().getPromptTokens());
      assertEquals(renderedIds.length, text.get(0).getStarted().getPromptTokens());
      Generated fromChat = Generated.of(chat);
      assertEquals(12, fromChat.ids().length);
      assertArrayEquals(Generated.of(text).ids(), fromChat.ids());

      // the request's faults: INVALID_ARGUMENT, naming the field
      StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
          () -> live.generate(base.clone().setChat(ChatPrompt.getDefaultInstance()).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
      assertTrue(empty.getStatus().getDescription().contains("chat.messages is empty"), empty.getStatus().getDescription());
      StatusRuntimeException role = assertThrows(StatusRuntimeException.class, () -> live.generate(
          base.clone().setChat(ChatPrompt.newBuilder().addMessages(message("user", "Hi")).addMessages(message("tool", "42"))).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, role.getStatus().getCode());
      assertTrue(role.getStatus().getDescription().contains("chat.messages[1].role is 'tool'"), role.getStatus().getDescription());
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> live.generate(
          base.clone().setChat(ChatPrompt.newBuilder().addAllMessages(CONVERSATION.subList(0, 3))).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("nothing to answer"), refused.getStatus().getDescription());
    }
  }
}
