package dev.fsgen.tokenizer;

import java.nio.file.Path;

/**
 * A chat template that did not render: either the template refused the conversation through
 * {@code raise_exception} (roles that do not alternate, a role it does not know), a fault of the
 * request, or the template itself is broken, a fault of the checkpoint.
 */
public final class ChatTemplateException extends TokenizerException {
  private final boolean refusedConversation;

  ChatTemplateException(Path config, String message, boolean refusedConversation, Throwable cause) {
    super((refusedConversation ? "the chat template of " : "chat template of ") + config.toAbsolutePath()
        + (refusedConversation ? " refuses the conversation: " : " failed to render: ") + message, cause);
    this.refusedConversation = refusedConversation;
  }

  /** True when the template's own {@code raise_exception} refused the messages it was given. */
  public boolean refusedConversation() {
    return refusedConversation;
  }
}
