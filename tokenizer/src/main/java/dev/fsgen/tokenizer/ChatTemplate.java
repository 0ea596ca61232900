package dev.fsgen.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;

/**
 * A checkpoint's {@code chat_template} (the Jinja template in {@code tokenizer_config.json} beside
 * {@code tokenizer.json}) rendered the way Hugging Face's {@code apply_chat_template} renders it:
 * {@code messages}, {@code add_generation_prompt=true}, {@code bos_token}, {@code eos_token}, and
 * the helpers real templates call ({@code raise_exception}, {@code strftime_now}).
 *
 * <p>The template text is used as published; where Jinjava's defaults differ from Python Jinja2,
 * the engine is configured (block trimming, Python operator precedence, map iteration) rather than
 * the template rewritten.
 *
 * <p>Rendering is safe from several threads.
 */
public final class ChatTemplate {
  /** One turn of a conversation: {@code role} is what the template compares ("system", "user", "assistant"). */
  public record Message(String role, String content) {
    public Message {
      if (role == null || content == null) throw new IllegalArgumentException("a chat message needs a role and a content");
    }
  }

  /** Where {@code strftime_now} finds the clock: not a Jinja identifier, so no template can read or shadow it. */
  private static final String CLOCK_KEY = "fsgen.clock";

  /**
   * Hugging Face renders with {@code ImmutableSandboxedEnvironment(trim_blocks=True,
   * lstrip_blocks=True)}: a block tag eats the newline after it and the indentation before it. The
   * legacy overrides switch Jinjava to Jinja2's rules where its defaults differ: Python's operator
   * precedence ({@code 'a' + x | trim} filters {@code x} only), {@code -} whitespace control parsed
   * strictly and applied to {@code {{- }}} as to {@code {%- %}}, iteration over a mapping's keys,
   * dict literal keys evaluated as expressions.
   * ({@link LegacyOverrides#ALL} is not usable: with it Jinjava leaves {@code {%- if %}} unparsed.)
   * Python's {@code str} methods come first in the resolver chain. (A filter Jinjava lacks renders
   * as nothing, Jinjava's way; {@code |items} and {@code |tojson} are supplied as Jinja2 has them.)
   */
  private static final JinjavaConfig CONFIG = JinjavaConfig.newBuilder()
      .withTrimBlocks(true)
      .withLstripBlocks(true)
      .withLegacyOverrides(LegacyOverrides.newBuilder()
          .withUseNaturalOperatorPrecedence(true)
          .withParseWhitespaceControlStrictly(true)
          .withIterateOverMapKeys(true)
          .withEvaluateMapKeys(true)
          .withUseTrimmingForNotesAndExpressions(true)
          .build())
      .withElResolver(resolver())
      .build();

  private static ELResolver resolver() {
    CompositeELResolver chain = new CompositeELResolver();
    chain.add(new PythonStringMethods());
    chain.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
    return chain;
  }

  private final Path file;
  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final Clock clock;
  private final Jinjava jinjava;

  private ChatTemplate(Path file, String template, String bosToken, String eosToken, Clock clock) {
    this.file = file;
    this.template = template;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.clock = clock;
    this.jinjava = new Jinjava(CONFIG);
    try {
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
          "", "raise_exception", ChatTemplate.class.getDeclaredMethod("raiseException", String.class)));
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
          "", "strftime_now", ChatTemplate.class.getDeclaredMethod("strftimeNow", String.class)));
      jinjava.getGlobalContext().registerFilter(new PythonJsonFilter());
      jinjava.getGlobalContext().registerFilter(new PythonItemsFilter());
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The chat template of the checkpoint whose {@code tokenizer.json} is {@code path} (or which lies
   * in the directory {@code path}); empty when there is no {@code tokenizer_config.json} or it has
   * no {@code chat_template}.
   *
   * @throws TokenizerException naming the file when it is unreadable or its fields are malformed
   */
  public static Optional<ChatTemplate> find(Path path) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path config = dir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(config)) return Optional.empty();
    JsonObject root;
    try {
      root = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new TokenizerException("tokenizer config " + config.toAbsolutePath() + " is not readable JSON: " + e.getMessage(), e);
    }
    String template = templateText(config, root.get("chat_template"));
    if (template == null) return Optional.empty();
    return Optional.of(new ChatTemplate(config, template,
        tokenText(config, root, "bos_token"), tokenText(config, root, "eos_token"), Clock.systemDefaultZone()));
  }

  /** Like {@link #find}, but a checkpoint without a chat template is an error. */
  public static ChatTemplate load(Path path) {
    return find(path).orElseThrow(() -> new TokenizerException(
        "no chat_template in a tokenizer_config.json beside " + path.toAbsolutePath() + ": the model has no chat format"));
  }

  /** The same template with {@code strftime_now} reading {@code clock} (Llama 3.x print today's date). */
  public ChatTemplate withClock(Clock clock) {
    return new ChatTemplate(file, template, bosToken, eosToken, clock);
  }

  /** The {@code tokenizer_config.json} the template came from. */
  public Path path() {
    return file;
  }

  /**
   * The prompt text for {@code messages}, ending with the cue for the assistant's turn
   * ({@code add_generation_prompt=true}). The text carries the template's special tokens (BOS
   * included) spelled out; encode it without adding special tokens.
   *
   * @throws ChatTemplateException if the template refuses the conversation ({@code raise_exception})
   *     or fails to render
   */
  public String render(List<Message> messages) {
    List<Map<String, Object>> turns = new ArrayList<>(messages.size());
    for (Message m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    Map<String, Object> bindings = new HashMap<>();
    bindings.put("messages", turns);
    bindings.put("add_generation_prompt", true);
    // Hugging Face leaves a token the tokenizer lacks undefined (Qwen has no BOS): it renders as ""
    if (bosToken != null) bindings.put("bos_token", bosToken);
    if (eosToken != null) bindings.put("eos_token", eosToken);
    // globals in Hugging Face, so `strftime_now is defined` holds; calls resolve to the functions
    bindings.put("raise_exception", "raise_exception");
    bindings.put("strftime_now", "strftime_now");
    bindings.put(CLOCK_KEY, clock);

    RenderResult result;
    try {
      result = jinjava.renderForResult(template, bindings);
    } catch (RuntimeException e) {
      throw failure(e);
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() != TemplateError.ErrorType.FATAL) continue;
      Refusal refusal = refusalIn(error.getException());
      if (refusal != null) throw new ChatTemplateException(file, refusal.getMessage(), true, refusal);
      throw new ChatTemplateException(file, "line " + error.getLineno() + ": " + error.getMessage(), false, error.getException());
    }
    return result.getOutput();
  }

  private ChatTemplateException failure(RuntimeException e) {
    Refusal refusal = refusalIn(e);
    if (refusal != null) return new ChatTemplateException(file, refusal.getMessage(), true, refusal);
    return new ChatTemplateException(file, String.valueOf(e.getMessage()), false, e);
  }

  private static Refusal refusalIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Refusal r) return r;
    }
    return null;
  }

  /** {@code raise_exception(message)}: the template refuses the conversation. */
  public static String raiseException(String message) {
    throw new Refusal(message);
  }

  /**
   * {@code strftime_now(format)}: the current time in the clock's zone (by default the local one,
   * as Python's {@code datetime.now()}), formatted like Python's strftime.
   */
  public static String strftimeNow(String format) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    Object bound = interpreter == null ? null : interpreter.getContext().get(CLOCK_KEY);
    Clock clock = bound instanceof Clock c ? c : Clock.systemDefaultZone();
    return StrftimeFormatter.format(ZonedDateTime.now(clock), format, Locale.ROOT);
  }

  /** Thrown by {@code raise_exception}; carries the template's own message. */
  private static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message);
    }
  }

  /** A string, or a list of {@code {name, template}} of which the one named {@code default} is used. */
  private static String templateText(Path config, JsonElement value) {
    if (value == null || value.isJsonNull()) return null;
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) return value.getAsString();
    if (value.isJsonArray()) {
      JsonArray named = value.getAsJsonArray();
      for (JsonElement element : named) {
        if (!element.isJsonObject()) break;
        JsonObject entry = element.getAsJsonObject();
        JsonElement name = entry.get("name");
        JsonElement text = entry.get("template");
        if (name != null && name.isJsonPrimitive() && "default".equals(name.getAsString())) {
          if (text == null || !text.isJsonPrimitive()) break;
          return text.getAsString();
        }
      }
      throw new TokenizerException("tokenizer config " + config.toAbsolutePath()
          + ": chat_template is a list without a {\"name\": \"default\", \"template\": \"...\"} entry");
    }
    throw new TokenizerException("tokenizer config " + config.toAbsolutePath()
        + ": chat_template must be a string or a list of {name, template}, not " + value);
  }

  /** {@code bos_token}/{@code eos_token}: a string, an object with {@code content}, or absent/null. */
  private static String tokenText(Path config, JsonObject root, String field) {
    JsonElement value = root.get(field);
    if (value == null || value.isJsonNull()) return null;
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) return value.getAsString();
    if (value.isJsonObject()) {
      JsonElement content = value.getAsJsonObject().get("content");
      if (content != null && content.isJsonPrimitive() && content.getAsJsonPrimitive().isString()) return content.getAsString();
    }
    throw new TokenizerException("tokenizer config " + config.toAbsolutePath() + ": " + field
        + " must be a string or an object with a string \"content\", not " + value);
  }
}
