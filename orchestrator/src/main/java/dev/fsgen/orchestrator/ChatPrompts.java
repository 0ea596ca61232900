package dev.fsgen.orchestrator;

import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.decoding.UnsupportedByModelException;
import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.tokenizer.ChatTemplate;
import dev.fsgen.tokenizer.ChatTemplateException;
import dev.fsgen.tokenizer.TokenizerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Generate request's chat messages made into prompt text with System 2's chat template. A
 * checkpoint without a usable template still serves text and token prompts; only a chat prompt is
 * refused, naming why.
 */
final class ChatPrompts {
  /** The roles every chat template knows; tool turns need fields this API does not carry. */
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private final ChatTemplate template;
  private final String unusable;

  private ChatPrompts(ChatTemplate template, String unusable) {
    this.template = template;
    this.unusable = unusable;
  }

  /** The template of the checkpoint whose tokenizer.json is {@code tokenizerJson}, if it has a usable one. */
  static ChatPrompts of(Path tokenizerJson) {
    try {
      return ChatTemplate.find(tokenizerJson).map(t -> new ChatPrompts(t, null)).orElseGet(() -> new ChatPrompts(null,
          "System 2's checkpoint has no chat_template in its tokenizer_config.json: send the prompt as text or tokens"));
    } catch (TokenizerException e) {
      return new ChatPrompts(null, "System 2's chat template cannot be used: " + e.getMessage());
    }
  }

  /**
   * The rendered prompt text.
   *
   * @throws IllegalArgumentException for no messages, an unknown role, too much text, or a
   *     conversation the template refuses
   * @throws UnsupportedByModelException when System 2 has no usable template or it fails to render
   */
  String render(ChatPrompt chat, long maxChars) {
    if (chat.getMessagesCount() == 0) {
      throw new InvalidRequestException("chat.messages", "chat.messages is empty: a conversation needs at least one message");
    }
    List<ChatTemplate.Message> messages = new ArrayList<>(chat.getMessagesCount());
    long chars = 0;
    for (int i = 0; i < chat.getMessagesCount(); i++) {
      ChatMessage m = chat.getMessages(i);
      if (!ROLES.contains(m.getRole())) {
        throw new InvalidRequestException("chat.messages[" + i + "].role", "chat.messages[" + i + "].role is '" + m.getRole()
            + "'; it must be system, user or assistant");
      }
      chars += m.getContent().length();
      messages.add(new ChatTemplate.Message(m.getRole(), m.getContent()));
    }
    if (chars > maxChars) {
      throw new InvalidRequestException("chat.messages", "chat.messages hold " + chars + " characters; the prompt may hold at most " + maxChars);
    }
    if (template == null) throw new UnsupportedByModelException(unusable, null);
    try {
      return template.render(messages);
    } catch (ChatTemplateException e) {
      if (e.refusedConversation()) throw new InvalidRequestException("chat.messages", "chat.messages: " + e.getMessage(), e);
      throw new UnsupportedByModelException("System 2's " + e.getMessage(), e);
    }
  }
}
