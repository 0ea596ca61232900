package dev.fsgen.orchestrator.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.fsgen.orchestrator.http.OpenAiParameters.Endpoint;
import dev.fsgen.proto.decoding.v1.FinishReason;
import dev.fsgen.proto.decoding.v1.Started;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenLogprob;
import java.util.List;

/**
 * The answers in OpenAI's shapes (a completion, a chat completion, their stream chunks), with
 * fsgen's own figures in an {@code fsgen} object beside them: each token's provenance (the gRPC
 * Token as JSON: id, text, producer, index, degraded) and, at the end, the gRPC Summary as JSON.
 * Both are printed by protobuf's JsonFormat, so that they read exactly as the gRPC API's JSON.
 *
 * @param id the answer's id, the same in every chunk: "cmpl-" or "chatcmpl-" and the session id
 * @param created when the generation was admitted, in Unix seconds
 * @param offsets streaming: each choice's text streamed so far, in characters (the legacy
 *     completions' text_offset)
 */
record OpenAiAnswer(OpenAiRequest request, String id, long created, java.util.Map<Integer, Integer> offsets) {
  private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
      .alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  static OpenAiAnswer of(OpenAiRequest request, Started started) {
    String prefix = request.endpoint() == Endpoint.CHAT ? "chatcmpl-" : "cmpl-";
    return new OpenAiAnswer(request, prefix + started.getSessionId(), System.currentTimeMillis() / 1000, new java.util.HashMap<>());
  }

  /** "stop" when the model ended its text or it reached a stop sequence, "length" when a limit did (max_tokens, or the context). */
  static String finishReason(Summary s) {
    FinishReason f = s.getFinishReason();
    return f == FinishReason.FINISH_REASON_EOS || f == FinishReason.FINISH_REASON_STOP ? "stop" : "length";
  }

  /** Choices the request asked for (n). */
  int choices() {
    return Math.max(1, request.generate().getN());
  }

  /**
   * The non-streamed answer: each choice's whole text and why it ended, the usage over all choices,
   * and fsgen's figures: the first choice's token provenance and summary, and with n > 1 every
   * choice's in {@code fsgen.choices}.
   */
  JsonObject whole(Started started, java.util.Map<Integer, List<Token>> tokens, List<Summary> summaries) {
    JsonObject out = head(request.endpoint().object, null);
    JsonArray choices = out.getAsJsonArray("choices");
    JsonArray perChoice = new JsonArray();
    for (Summary s : summaries) {
      choices.add(choice(s.getChoice(), s.getText(), finishReason(s), logprobs(tokens.getOrDefault(s.getChoice(), List.of()), 0)));
      JsonObject c = new JsonObject();
      c.add("tokens", provenance(tokens.getOrDefault(s.getChoice(), List.of())));
      c.add("summary", json(s));
      perChoice.add(c);
    }
    out.add("usage", usage(summaries));
    JsonObject fsgen = extension(started, tokens.getOrDefault(0, List.of()));
    fsgen.add("summary", json(summaries.get(0)));
    if (summaries.size() > 1) fsgen.add("choices", perChoice);
    out.add("fsgen", fsgen);
    return out;
  }

  /**
   * A chunk with one step's tokens, then any text held back for a stop sequence that did not come;
   * the first of a chat stream also says the role.
   */
  JsonObject chunk(Started started, int choice, List<Token> tokens, String heldText, boolean first) {
    StringBuilder text = new StringBuilder();
    for (Token t : tokens) text.append(t.getText());
    text.append(heldText);
    JsonObject out = head(chunkObject(), delta(choice, text.toString(), first, null, logprobs(tokens, textOffset(choice, text))));
    if (request.includeUsage()) out.add("usage", JsonNull.INSTANCE);
    out.add("fsgen", extension(first ? started : null, tokens));
    return out;
  }

  /** The stream's last chunk with a choice: no text, the finish reason, and the summary. */
  JsonObject last(Summary summary) {
    JsonObject out = head(chunkObject(), delta(summary.getChoice(), "", false, finishReason(summary), JsonNull.INSTANCE));
    if (request.includeUsage()) out.add("usage", JsonNull.INSTANCE);
    JsonObject fsgen = new JsonObject();
    fsgen.add("summary", json(summary));
    out.add("fsgen", fsgen);
    return out;
  }

  /** stream_options.include_usage: after the last chunk, one with no choices and the usage over every choice. */
  JsonObject usageChunk(List<Summary> summaries) {
    JsonObject out = head(chunkObject(), null);
    out.add("usage", usage(summaries));
    return out;
  }

  private String chunkObject() {
    return request.endpoint() == Endpoint.CHAT ? "chat.completion.chunk" : "text_completion";
  }

  private JsonObject head(String object, JsonObject choice) {
    JsonObject out = new JsonObject();
    out.addProperty("id", id);
    out.addProperty("object", object);
    out.addProperty("created", created);
    out.addProperty("model", request.model());
    JsonArray choices = new JsonArray();
    if (choice != null) choices.add(choice);
    out.add("choices", choices);
    return out;
  }

  private JsonObject choice(int index, String text, String finish, JsonElement logprobs) {
    JsonObject c = new JsonObject();
    c.addProperty("index", index);
    if (request.endpoint() == Endpoint.CHAT) {
      JsonObject message = new JsonObject();
      message.addProperty("role", "assistant");
      message.addProperty("content", text);
      c.add("message", message);
    } else {
      c.addProperty("text", text);
    }
    c.add("logprobs", logprobs);
    c.addProperty("finish_reason", finish);
    return c;
  }

  private JsonObject delta(int index, String text, boolean first, String finish, JsonElement logprobs) {
    if (request.endpoint() == Endpoint.COMPLETIONS) {
      JsonObject c = choice(index, text, finish, logprobs);
      if (finish == null) c.add("finish_reason", JsonNull.INSTANCE);
      return c;
    }
    JsonObject c = new JsonObject();
    c.addProperty("index", index);
    JsonObject delta = new JsonObject();
    if (first) delta.addProperty("role", "assistant");
    if (finish == null) delta.addProperty("content", text);
    c.add("delta", delta);
    c.add("logprobs", logprobs);
    if (finish == null) c.add("finish_reason", JsonNull.INSTANCE);
    else c.addProperty("finish_reason", finish);
    return c;
  }

  /**
   * The tokens' log-probabilities in the endpoint's shape, or null when the request asked for none:
   * chat's {@code content} list (each token's text, log-probability, UTF-8 bytes and alternatives),
   * or the legacy completions' parallel lists (tokens, token_logprobs, top_logprobs as text to
   * log-probability, text_offset counted from {@code offset}).
   */
  private JsonElement logprobs(List<Token> tokens, int offset) {
    if (!request.generate().hasTopLogprobs()) return JsonNull.INSTANCE;
    JsonObject out = new JsonObject();
    if (request.endpoint() == Endpoint.CHAT) {
      JsonArray content = new JsonArray();
      for (Token t : tokens) {
        JsonObject c = chatLogprob(t.getLogprob());
        JsonArray top = new JsonArray();
        for (TokenLogprob a : t.getTopLogprobsList()) top.add(chatLogprob(a));
        c.add("top_logprobs", top);
        content.add(c);
      }
      out.add("content", content);
      out.add("refusal", JsonNull.INSTANCE);
      return out;
    }
    JsonArray texts = new JsonArray();
    JsonArray values = new JsonArray();
    JsonArray tops = new JsonArray();
    JsonArray offsets = new JsonArray();
    for (Token t : tokens) {
      texts.add(t.getLogprob().getText());
      values.add(t.getLogprob().getLogprob());
      JsonObject top = new JsonObject();
      for (TokenLogprob a : t.getTopLogprobsList()) top.addProperty(a.getText(), a.getLogprob());
      tops.add(top);
      offsets.add(offset);
      offset += t.getText().length();
    }
    out.add("tokens", texts);
    out.add("token_logprobs", values);
    out.add("top_logprobs", tops);
    out.add("text_offset", offsets);
    return out;
  }

  private static JsonObject chatLogprob(TokenLogprob t) {
    JsonObject c = new JsonObject();
    c.addProperty("token", t.getText());
    c.addProperty("logprob", t.getLogprob());
    JsonArray bytes = new JsonArray();
    for (byte b : t.getText().getBytes(java.nio.charset.StandardCharsets.UTF_8)) bytes.add(b & 0xff);
    c.add("bytes", bytes);
    return c;
  }

  /** A streamed choice's text length before this chunk, which then grows by the chunk's text (the legacy text_offset). */
  private int textOffset(int choice, CharSequence chunkText) {
    int before = offsets.getOrDefault(choice, 0);
    offsets.put(choice, before + chunkText.length());
    return before;
  }

  /** The prompt once, the tokens of every choice. */
  private static JsonObject usage(List<Summary> summaries) {
    int prompt = summaries.get(0).getPromptTokens();
    int completion = 0;
    for (Summary s : summaries) completion += s.getTokens();
    JsonObject u = new JsonObject();
    u.addProperty("prompt_tokens", prompt);
    u.addProperty("completion_tokens", completion);
    u.addProperty("total_tokens", prompt + completion);
    return u;
  }

  /** fsgen's object: the tokens' provenance, and (first) the session, strategy and seed. */
  private JsonObject extension(Started started, List<Token> tokens) {
    JsonObject fsgen = new JsonObject();
    if (started != null) {
      fsgen.addProperty("session_id", started.getSessionId());
      fsgen.addProperty("strategy", started.getStrategy());
      fsgen.addProperty("seed", request.seed());
    }
    fsgen.add("tokens", provenance(tokens));
    return fsgen;
  }

  /** Each token as JSON: id, text, producer, index, degraded. */
  private static JsonArray provenance(List<Token> tokens) {
    JsonArray out = new JsonArray();
    for (Token t : tokens) out.add(json(t));
    return out;
  }

  static JsonObject json(MessageOrBuilder message) {
    try {
      return JsonParser.parseString(JSON.print(message)).getAsJsonObject();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
