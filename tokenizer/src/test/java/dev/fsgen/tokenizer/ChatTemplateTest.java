package dev.fsgen.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.fsgen.tokenizer.ChatTemplate.Message;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published chat templates of real instruct models, rendered here and compared with the prompt
 * formats their model cards document. The {@code tokenizer_config.json} files under
 * {@code resources/dev/fsgen/tokenizer/chat/} carry each {@code chat_template} verbatim, copied from:
 *
 * <ul>
 *   <li>{@code llama-3.1}: meta-llama/Meta-Llama-3.1-8B-Instruct, as quoted in
 *       openvinotoolkit/openvino.genai {@code tests/python_tests/tokenizer_configs.py}
 *   <li>{@code llama-3.2}: meta-llama/Llama-3.2-3B-Instruct (the version that calls
 *       {@code strftime_now}), as quoted in kherud/java-llama.cpp
 *       {@code src/test/java/de/kherud/llama/LlamaModelToolSupportTest.java}
 *   <li>{@code qwen-2.5}: Qwen/Qwen2.5-7B-Instruct, as quoted in google/minja's Swift port
 *       ({@code ChatTemplateTests.swift}, "Qwen_Qwen2_5_7B_Instruct_Template")
 *   <li>{@code mistral-7b-instruct}: mistralai/Mistral-7B-Instruct (the 2024 template of v0.1 and
 *       v0.2, {@code ' [INST] '}), from openvinotoolkit/openvino.genai
 *       {@code tests/python_tests/tokenizer_configs.py}
 *   <li>{@code mistral-v3}: mistralai's "v3" template (the one with tool calls, {@code namespace()} and
 *       {@code selectattr}), from ggml-org/llama.cpp {@code tests/test-chat-template.cpp}
 * </ul>
 */
class ChatTemplateTest {
  /** Llama 3.2 prints today's date; a fixed clock makes the rendering reproducible. */
  static final Clock DEC_3_2024 = Clock.fixed(Instant.parse("2024-12-03T10:15:30Z"), ZoneOffset.UTC);

  static final List<Message> SYSTEM_AND_USER = List.of(
      new Message("system", "You are a helpful assistant."),
      new Message("user", "What is the capital of France?"));

  /** Padded contents: Llama trims every turn, Mistral v3 trims the assistant's. */
  static final List<Message> MULTI_TURN = List.of(
      new Message("user", "Hello"),
      new Message("assistant", " Hi there "),
      new Message("user", "Who are you?"));

  static ChatTemplate template(String family) {
    try {
      Path dir = Path.of(ChatTemplateTest.class.getResource("chat/" + family).toURI());
      return ChatTemplate.load(dir).withClock(DEC_3_2024);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void llama31SystemAndUser() {
    assertEquals(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            + "You are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        template("llama-3.1").render(SYSTEM_AND_USER));
  }

  @Test
  void llama31MultiTurnTrimsEveryTurnAndKeepsAnEmptySystemHeader() {
    assertEquals(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        template("llama-3.1").render(MULTI_TURN));
  }

  @Test
  void llama32DatesThePromptWithTheInjectedClock() {
    String expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        + "Cutting Knowledge Date: December 2023\nToday Date: 03 Dec 2024\n\n"
        + "You are a helpful assistant.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    assertEquals(expected, template("llama-3.2").render(SYSTEM_AND_USER));
    Clock later = Clock.fixed(Instant.parse("2025-01-09T23:59:00Z"), ZoneOffset.UTC);
    assertTrue(template("llama-3.2").withClock(later).render(SYSTEM_AND_USER).contains("Today Date: 09 Jan 2025\n"));
  }

  @Test
  void llama32MultiTurn() {
    assertEquals(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 03 Dec 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
        template("llama-3.2").render(MULTI_TURN));
  }

  @Test
  void qwen25SystemAndUser() {
    assertEquals(
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
            + "<|im_start|>assistant\n",
        template("qwen-2.5").render(SYSTEM_AND_USER));
  }

  @Test
  void qwen25AddsItsDefaultSystemPromptWhenNoneIsGiven() {
    assertEquals(
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello<|im_end|>\n"
            + "<|im_start|>assistant\n Hi there <|im_end|>\n"
            + "<|im_start|>user\nWho are you?<|im_end|>\n"
            + "<|im_start|>assistant\n",
        template("qwen-2.5").render(MULTI_TURN));
  }

  @Test
  void mistral7bInstructSystemAndUser() {
    assertEquals(
        "<s> [INST] You are a helpful assistant.\n\nWhat is the capital of France? [/INST]",
        template("mistral-7b-instruct").render(SYSTEM_AND_USER));
  }

  @Test
  void mistral7bInstructMultiTurn() {
    assertEquals(
        "<s> [INST] Hello [/INST]  Hi there </s> [INST] Who are you? [/INST]",
        template("mistral-7b-instruct").render(MULTI_TURN));
  }

  @Test
  void mistralV3PutsTheSystemPromptInTheLastUserTurnAndTrimsTheAssistant() {
    assertEquals(
        "<s>[INST] You are a helpful assistant.\n\nWhat is the capital of France?[/INST]",
        template("mistral-v3").render(SYSTEM_AND_USER));
    List<Message> withSystem = new ArrayList<>(List.of(new Message("system", "Be brief.")));
    withSystem.addAll(MULTI_TURN);
    assertEquals(
        "<s>[INST] Hello[/INST] Hi there</s>[INST] Be brief.\n\nWho are you?[/INST]",
        template("mistral-v3").render(withSystem));
  }

  @Test
  void mistralRefusesRolesThatDoNotAlternate() {
    List<Message> twoUsers = List.of(new Message("user", "Hello"), new Message("user", "Anyone there?"));
    for (String family : List.of("mistral-7b-instruct", "mistral-v3")) {
      ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template(family).render(twoUsers));
      assertTrue(e.refusedConversation(), family);
      assertTrue(e.getMessage().contains(
          "After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."), e.getMessage());
      assertTrue(e.getMessage().contains(family), e.getMessage());
    }
  }

  @Test
  void mistralRefusesAnUnknownRole() {
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> template("mistral-7b-instruct").render(List.of(new Message("user", "Hi"), new Message("tool", "42"))));
    assertTrue(e.refusedConversation());
    assertTrue(e.getMessage().contains("Only user and assistant roles are supported"), e.getMessage());
  }

  @Test
  void aListOfNamedTemplatesUsesTheDefault(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"), """
        {"bos_token": {"content": "<s>"}, "eos_token": "</s>",
         "chat_template": [
           {"name": "tool_use", "template": "{{ raise_exception('not this one') }}"},
           {"name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.role }}={{ m.content }};{% endfor %}{{ eos_token }}"}
         ]}
        """, StandardCharsets.UTF_8);
    assertEquals("<s>user=Hi;</s>", ChatTemplate.load(dir).render(List.of(new Message("user", "Hi"))));
  }

  @Test
  void aMissingTemplateIsEmptyAndNamedWhenRequired(@TempDir Path dir) throws Exception {
    assertTrue(ChatTemplate.find(dir).isEmpty());
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}", StandardCharsets.UTF_8);
    assertTrue(ChatTemplate.find(dir.resolve("tokenizer.json")).isEmpty());
    TokenizerException e = assertThrows(TokenizerException.class, () -> ChatTemplate.load(dir));
    assertTrue(e.getMessage().contains("no chat_template"), e.getMessage());
  }

  @Test
  void aMalformedConfigIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(config, "{\"chat_template\": 7}", StandardCharsets.UTF_8);
    TokenizerException e = assertThrows(TokenizerException.class, () -> ChatTemplate.find(dir));
    assertTrue(e.getMessage().contains(config.toAbsolutePath().toString()), e.getMessage());
    Files.writeString(config, "{\"chat_template\": \"x\", \"bos_token\": [1]}", StandardCharsets.UTF_8);
    e = assertThrows(TokenizerException.class, () -> ChatTemplate.find(dir));
    assertTrue(e.getMessage().contains("bos_token"), e.getMessage());
  }

  @Test
  void aTemplateThatFailsToRenderNamesTheFile(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(config, "{\"chat_template\": \"{% for m in messages %}{{ m.content }\"}", StandardCharsets.UTF_8);
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> ChatTemplate.load(dir).render(List.of(new Message("user", "Hi"))));
    assertFalse(e.refusedConversation());
    assertTrue(e.getMessage().contains(config.toAbsolutePath().toString()), e.getMessage());
  }

  /** Jinja features real templates lean on, each against what Python Jinja2 prints for it. */
  @Test
  void pythonJinjaFeaturesRenderAsInJinja2(@TempDir Path dir) throws Exception {
    String template = String.join("|",
        "{{ 'T' if messages[0].content.startswith('<think>') else 'F' }}",
        "{{ 'T' if messages[0].content.endswith(('x', 'more')) else 'F' }}",
        "{{ messages[1].content.strip() }}",
        "{{ messages[1].content.lstrip() }}",
        "{{ messages[0].role.title() }}",
        "{{ messages[0].role.upper() }}",
        "{{ messages[0].content.split('</think>')[-1] }}",
        "{{ messages[0].content[:7] }}",
        "{{ messages[1:] | length }}",
        "{{ 'x' + messages[1].content | trim + 'y' }}",
        "{{ messages[0] | tojson }}",
        "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true, separators=[',', ':']) }}",
        "{{ {'a': [1, true, none], 'b': 'q\"'} | tojson(indent=2) }}",
        "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
        "{% for m in messages %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}",
        "{{ 'T' if messages[0].tool_calls is defined else 'F' }}",
        "{{ 'T' if 'tool_calls' in messages[0] else 'F' }}",
        "{{ 'T' if raise_exception is defined else 'F' }}",
        "{% for k, v in messages[0] | items %}{{ k }}={{ v | length }};{% endfor %}",
        "{{ bos_token }}{{ 'T' if bos_token is defined else 'F' }}");
    JsonObject config = new JsonObject();
    config.addProperty("chat_template", template);
    Files.writeString(dir.resolve("tokenizer_config.json"), config.toString(), StandardCharsets.UTF_8);
    String rendered = ChatTemplate.load(dir).render(List.of(
        new Message("user", "<think>a</think>and more"), new Message("assistant", "  padded \n")));
    assertEquals(String.join("|",
        "T", "T", "padded", "padded \n", "User", "USER", "and more", "<think>", "1", "xpaddedy",
        "{\"role\": \"user\", \"content\": \"<think>a</think>and more\"}",
        "{\"a\":2,\"b\":1}",
        "{\n  \"a\": [\n    1,\n    true,\n    null\n  ],\n  \"b\": \"q\\\"\"\n}",
        "2", "user,assistant", "F", "F", "T", "role=4;content=24;", "F"), rendered);
  }

  /** Jinjava has no {@code {% break %}} (Jinja2's loopcontrols, which Hugging Face enables): refused, never skipped. */
  @Test
  void aTagJinjavaLacksIsAnErrorNotSilence(@TempDir Path dir) throws Exception {
    JsonObject config = new JsonObject();
    config.addProperty("chat_template", "{% for m in messages %}{{ m.content }}{% if loop.first %}{% break %}{% endif %}{% endfor %}");
    Files.writeString(dir.resolve("tokenizer_config.json"), config.toString(), StandardCharsets.UTF_8);
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> ChatTemplate.load(dir).render(List.of(new Message("user", "a"), new Message("assistant", "b"))));
    assertFalse(e.refusedConversation());
    assertTrue(e.getMessage().contains("break"), e.getMessage());
  }
}
