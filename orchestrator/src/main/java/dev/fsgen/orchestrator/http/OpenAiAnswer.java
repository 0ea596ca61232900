package dev.fsgen.orchestrator.http;

import com.google.gson.JsonArray;
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
import java.util.List;

/**
 * The answers in OpenAI's shapes (a completion, a chat completion, their stream chunks), with
 * fsgen's own figures in an {@code fsgen} object beside them: each token's provenance (the gRPC
 * Token as JSON: id, text, producer, index, degraded) and, at the end, the gRPC Summary as JSON.
 * Both are printed by protobuf's JsonFormat, so that they read exactly as the gRPC API's JSON.
 *
 * @param id the answer's id, the same in every chunk: "cmpl-" or "chatcmpl-" and the session id
 * @param created when the generation was admitted, in Unix seconds
 */
record OpenAiAnswer(OpenAiRequest request, String id, long created) {
  private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
      .alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  static OpenAiAnswer of(OpenAiRequest request, Started started) {
    String prefix = request.endpoint() == Endpoint.CHAT ? "chatcmpl-" : "cmpl-";
    return new OpenAiAnswer(request, prefix + started.getSessionId(), System.currentTimeMillis() / 1000);
  }

  /** "stop" when the model ended its text or it reached a stop sequence, "length" when a limit did (max_tokens, or the context). */
  static String finishReason(Summary s) {
    FinishReason f = s.getFinishReason();
    return f == FinishReason.FINISH_REASON_EOS || f == FinishReason.FINISH_REASON_STOP ? "stop" : "length";
  }

  /** The non-streamed answer: the whole text, why it ended, the usage and fsgen's figures. */
  JsonObject whole(Started started, List<Token> tokens, Summary summary) {
    JsonObject choice = choice(summary.getText(), finishReason(summary));
    JsonObject out = head(request.endpoint().object, choice);
    out.add("usage", usage(summary));
    JsonObject fsgen = extension(started, tokens);
    fsgen.add("summary", json(summary));
    out.add("fsgen", fsgen);
    return out;
  }

  /**
   * A chunk with one step's tokens, then any text held back for a stop sequence that did not come;
   * the first of a chat stream also says the role.
   */
  JsonObject chunk(Started started, List<Token> tokens, String heldText, boolean first) {
    StringBuilder text = new StringBuilder();
    for (Token t : tokens) text.append(t.getText());
    text.append(heldText);
    JsonObject out = head(chunkObject(), delta(text.toString(), first, null));
    if (request.includeUsage()) out.add("usage", JsonNull.INSTANCE);
    out.add("fsgen", extension(first ? started : null, tokens));
    return out;
  }

  /** The stream's last chunk with a choice: no text, the finish reason, and the summary. */
  JsonObject last(Summary summary) {
    JsonObject out = head(chunkObject(), delta("", false, finishReason(summary)));
    if (request.includeUsage()) out.add("usage", JsonNull.INSTANCE);
    JsonObject fsgen = new JsonObject();
    fsgen.add("summary", json(summary));
    out.add("fsgen", fsgen);
    return out;
  }

  /** stream_options.include_usage: after the last chunk, one with no choices and the usage. */
  JsonObject usageChunk(Summary summary) {
    JsonObject out = head(chunkObject(), null);
    out.add("usage", usage(summary));
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

  private JsonObject choice(String text, String finish) {
    JsonObject c = new JsonObject();
    c.addProperty("index", 0);
    if (request.endpoint() == Endpoint.CHAT) {
      JsonObject message = new JsonObject();
      message.addProperty("role", "assistant");
      message.addProperty("content", text);
      c.add("message", message);
    } else {
      c.addProperty("text", text);
    }
    c.add("logprobs", JsonNull.INSTANCE);
    c.addProperty("finish_reason", finish);
    return c;
  }

  private JsonObject delta(String text, boolean first, String finish) {
    if (request.endpoint() == Endpoint.COMPLETIONS) {
      JsonObject c = choice(text, finish);
      if (finish == null) c.add("finish_reason", JsonNull.INSTANCE);
      return c;
    }
    JsonObject c = new JsonObject();
    c.addProperty("index", 0);
    JsonObject delta = new JsonObject();
    if (first) delta.addProperty("role", "assistant");
    if (finish == null) delta.addProperty("content", text);
    c.add("delta", delta);
    c.add("logprobs", JsonNull.INSTANCE);
    if (finish == null) c.add("finish_reason", JsonNull.INSTANCE);
    else c.addProperty("finish_reason", finish);
    return c;
  }

  private static JsonObject usage(Summary s) {
    JsonObject u = new JsonObject();
    u.addProperty("prompt_tokens", s.getPromptTokens());
    u.addProperty("completion_tokens", s.getTokens());
    u.addProperty("total_tokens", s.getPromptTokens() + s.getTokens());
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
    JsonArray provenance = new JsonArray();
    for (Token t : tokens) provenance.add(json(t));
    fsgen.add("tokens", provenance);
    return fsgen;
  }

  static JsonObject json(MessageOrBuilder message) {
    try {
      return JsonParser.parseString(JSON.print(message)).getAsJsonObject();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
