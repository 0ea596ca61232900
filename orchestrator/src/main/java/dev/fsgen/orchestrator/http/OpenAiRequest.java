package dev.fsgen.orchestrator.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.orchestrator.http.OpenAiParameters.Endpoint;
import dev.fsgen.proto.decoding.v1.ChatMessage;
import dev.fsgen.proto.decoding.v1.ChatPrompt;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GetInfoResponse;
import dev.fsgen.proto.model.v1.Penalties;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.proto.model.v1.TokenIds;
import java.util.Set;

/**
 * An OpenAI completion or chat completion request as the orchestrator's GenerateRequest. Only the
 * shape is checked here; the values (a temperature's range, max_tokens against the limit, the
 * strategy's parameters) are the orchestrator's to check, exactly as over gRPC.
 *
 * <p>The {@code fsgen} object holds the GenerateRequest fields OpenAI has no parameter for, in
 * the GenerateRequest's own JSON form (JsonFormat, so that there is one definition of them):
 * {@code strategy} (a StrategyOptions), {@code session_id}, {@code ignore_eos},
 * {@code allow_degraded}. What an OpenAI parameter sets (prompt, sampling, seed, max_tokens) is
 * refused there, so that a request says each thing once.
 *
 * @param model the model the answer names (the served one)
 * @param stream answer with server-sent events
 * @param includeUsage streaming: end with a chunk carrying the usage (stream_options.include_usage)
 * @param seed the seed the generation samples with; reported back, so that a sampled answer can be had again
 */
record OpenAiRequest(Endpoint endpoint, GenerateRequest generate, String model, boolean stream, boolean includeUsage, long seed) {

  /** GenerateRequest fields that an OpenAI parameter sets, refused in the fsgen object. */
  private static final Set<String> SET_BY_OPENAI = Set.of("text", "tokens", "chat", "sampling", "seed", "max_tokens", "stop", "n",
      "top_logprobs");

  /**
   * @param info what the orchestrator serves: the model id to match, and the checkpoint's sampling
   *     defaults that a parameter left out keeps
   */
  static OpenAiRequest of(Endpoint endpoint, JsonObject body, GetInfoResponse info) {
    OpenAiParameters.check(endpoint, body);
    String served = ServedModel.id(info);
    if (!JsonBody.absent(body, "model")) {
      String model = JsonBody.string(body, "model", "model");
      if (!model.equals(served)) {
        throw new HttpErrors.Refusal(404, "model", "the model '" + model + "' is not served here; this server serves '" + served + "'");
      }
    }
    GenerateRequest.Builder r = extension(body);
    if (endpoint == Endpoint.CHAT) {
      r.setChat(chat(body));
    } else {
      prompt(body, r);
    }
    maxTokens(endpoint, body, r);
    Sampling sampling = sampling(body, info.getSystem2().getGenerationDefaults());
    if (sampling != null) r.setSampling(sampling);
    long seed;
    if (!JsonBody.absent(body, "seed")) {
      // OpenAI's seed is a signed 64-bit integer; the orchestrator's an unsigned one: the same 64 bits
      seed = JsonBody.integer(body.get("seed"), "seed", Long.MIN_VALUE, Long.MAX_VALUE);
    } else {
      // as OpenAI samples without a seed: another answer each time, the seed used reported back
      // (below 2^53, so that a JavaScript client reads it exactly and can send it again)
      seed = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 53);
    }
    r.setSeed(seed);
    stop(body, r);
    logprobs(endpoint, body, r);
    // the orchestrator checks the range and names n when refusing
    if (!JsonBody.absent(body, "n")) r.setN((int) JsonBody.integer(body.get("n"), "n", 1, Integer.MAX_VALUE));
    boolean stream = JsonBody.bool(body, "stream");
    boolean usage = false;
    if (!JsonBody.absent(body, "stream_options")) {
      if (!stream) throw new InvalidRequestException("stream_options", "stream_options is only allowed with stream: true");
      JsonObject options = JsonBody.object(body, "stream_options");
      for (String k : options.keySet()) {
        if (!k.equals("include_usage") && !k.equals("include_obfuscation")) {
          throw new InvalidRequestException("stream_options." + k, "unknown parameter 'stream_options." + k + "'");
        }
      }
      usage = JsonBody.bool(options, "include_usage");
    }
    return new OpenAiRequest(endpoint, r.build(), served, stream, usage, seed);
  }

  /** The fsgen object, parsed as the GenerateRequest fields it may hold. */
  private static GenerateRequest.Builder extension(JsonObject body) {
    GenerateRequest.Builder r = GenerateRequest.newBuilder();
    if (JsonBody.absent(body, "fsgen")) return r;
    try {
      JsonFormat.parser().merge(JsonBody.object(body, "fsgen").toString(), r);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidRequestException("fsgen", "fsgen: " + e.getMessage());
    }
    for (FieldDescriptor f : r.getAllFields().keySet()) {
      if (SET_BY_OPENAI.contains(f.getName())) {
        throw new InvalidRequestException("fsgen." + f.getName(), "fsgen." + f.getName()
            + " is set by the OpenAI parameters (prompt or messages, temperature, top_p, seed, max_tokens), not in fsgen");
      }
    }
    return r;
  }

  /**
   * Log-probabilities: the legacy completions' {@code logprobs} is the number of alternatives; chat's
   * is a switch, with {@code top_logprobs} the number (0 when left out). The orchestrator checks the range.
   */
  private static void logprobs(Endpoint endpoint, JsonObject body, GenerateRequest.Builder r) {
    if (endpoint == Endpoint.COMPLETIONS) {
      if (!JsonBody.absent(body, "logprobs")) r.setTopLogprobs((int) JsonBody.integer(body.get("logprobs"), "logprobs", 0, Integer.MAX_VALUE));
      return;
    }
    boolean on = JsonBody.bool(body, "logprobs");
    if (!JsonBody.absent(body, "top_logprobs")) {
      if (!on) throw new InvalidRequestException("top_logprobs", "top_logprobs needs logprobs: true");
      r.setTopLogprobs((int) JsonBody.integer(body.get("top_logprobs"), "top_logprobs", 0, Integer.MAX_VALUE));
    } else if (on) {
      r.setTopLogprobs(0);
    }
  }

  /** OpenAI's stop: one string or a list of them (null or absent: none); the orchestrator checks their count and lengths. */
  private static void stop(JsonObject body, GenerateRequest.Builder r) {
    if (JsonBody.absent(body, "stop")) return;
    JsonElement s = body.get("stop");
    if (s.isJsonPrimitive() && s.getAsJsonPrimitive().isString()) {
      r.addStop(s.getAsString());
      return;
    }
    if (!s.isJsonArray()) throw new InvalidRequestException("stop", "stop must be a string or an array of strings");
    for (int i = 0; i < s.getAsJsonArray().size(); i++) {
      JsonElement e = s.getAsJsonArray().get(i);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new InvalidRequestException("stop", "stop[" + i + "] must be a string");
      }
      r.addStop(e.getAsString());
    }
  }

  private static void prompt(JsonObject body, GenerateRequest.Builder r) {
    if (JsonBody.absent(body, "prompt")) throw new InvalidRequestException("prompt", "prompt is required");
    JsonElement p = body.get("prompt");
    if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()) {
      r.setText(p.getAsString());
    } else if (p.isJsonArray() && !p.getAsJsonArray().isEmpty() && p.getAsJsonArray().get(0).isJsonPrimitive()
        && p.getAsJsonArray().get(0).getAsJsonPrimitive().isNumber()) {
      // one prompt as token ids, as OpenAI allows; the orchestrator checks them against the vocabulary
      TokenIds.Builder ids = TokenIds.newBuilder();
      JsonArray a = p.getAsJsonArray();
      for (int i = 0; i < a.size(); i++) ids.addIds((int) JsonBody.integer(a.get(i), "prompt[" + i + "]", 0, Integer.MAX_VALUE));
      r.setTokens(ids);
    } else {
      throw new InvalidRequestException("prompt", "prompt must be a string or one array of token ids (one prompt per request)");
    }
  }

  private static ChatPrompt chat(JsonObject body) {
    if (JsonBody.absent(body, "messages") || !body.get("messages").isJsonArray()) {
      throw new InvalidRequestException("messages", "messages must be an array of {role, content}");
    }
    ChatPrompt.Builder chat = ChatPrompt.newBuilder();
    JsonArray messages = body.getAsJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!messages.get(i).isJsonObject()) throw new InvalidRequestException(at, at + " must be an object {role, content}");
      JsonObject m = messages.get(i).getAsJsonObject();
      for (String k : m.keySet()) {
        if (!k.equals("role") && !k.equals("content") && !(k.equals("name") && m.get(k).isJsonNull())) {
          throw new InvalidRequestException(at + "." + k, at + "." + k + " is not supported yet (a message is {role, content})");
        }
      }
      chat.addMessages(ChatMessage.newBuilder().setRole(JsonBody.string(m, "role", at + ".role")).setContent(content(m, at + ".content")));
    }
    return chat.build();
  }

  /** A message's content: a string, or OpenAI's array of text parts, joined. */
  private static String content(JsonObject m, String at) {
    JsonElement c = m.get("content");
    if (c != null && c.isJsonArray()) {
      StringBuilder text = new StringBuilder();
      JsonArray parts = c.getAsJsonArray();
      for (int i = 0; i < parts.size(); i++) {
        String part = at + "[" + i + "]";
        JsonElement type = parts.get(i).isJsonObject() ? parts.get(i).getAsJsonObject().get("type") : null;
        if (type == null || !type.isJsonPrimitive() || !type.getAsString().equals("text")) {
          throw new InvalidRequestException(part, part + " must be a text part {type: text, text}; other parts are not supported");
        }
        text.append(JsonBody.string(parts.get(i).getAsJsonObject(), "text", part + ".text"));
      }
      return text.toString();
    }
    return JsonBody.string(m, "content", at);
  }

  private static void maxTokens(Endpoint endpoint, JsonObject body, GenerateRequest.Builder r) {
    Long max = null;
    for (String name : endpoint == Endpoint.CHAT ? new String[] {"max_tokens", "max_completion_tokens"} : new String[] {"max_tokens"}) {
      if (JsonBody.absent(body, name)) continue;
      // 0 would mean the orchestrator's default over gRPC; here a limit of no tokens is refused
      long v = JsonBody.integer(body.get(name), name, 1, 0xFFFF_FFFFL);
      if (max != null && max != v) throw new InvalidRequestException(name, "max_tokens and max_completion_tokens disagree");
      max = v;
    }
    if (max != null) r.setMaxTokens((int) (long) max);
  }

  /**
   * Sampling as asked: unset when neither temperature nor top_p is given (the checkpoint's defaults,
   * as over gRPC); otherwise the checkpoint's defaults with what is given in their place, as vLLM
   * fills what a request leaves out.
   */
  private static Sampling sampling(JsonObject body, Sampling defaults) {
    boolean temperature = !JsonBody.absent(body, "temperature");
    boolean topP = !JsonBody.absent(body, "top_p");
    boolean penalties = PENALTIES.keySet().stream().anyMatch(p -> !JsonBody.absent(body, p));
    if (!temperature && !topP && !penalties) return null;
    Sampling.Builder s = defaults.toBuilder();
    if (temperature) s.setTemperature(JsonBody.number(body, "temperature"));
    if (topP) s.setTopP(JsonBody.number(body, "top_p"));
    if (penalties) {
      Penalties.Builder p = defaults.getPenalties().toBuilder();
      if (!JsonBody.absent(body, "repetition_penalty")) p.setRepetition(JsonBody.number(body, "repetition_penalty"));
      if (!JsonBody.absent(body, "presence_penalty")) p.setPresence(JsonBody.number(body, "presence_penalty"));
      if (!JsonBody.absent(body, "frequency_penalty")) p.setFrequency(JsonBody.number(body, "frequency_penalty"));
      s.setPenalties(p);
    }
    return s.build();
  }

  /** The penalty parameters (OpenAI's two, and vLLM's repetition_penalty) by the Penalties field each sets. */
  private static final java.util.Map<String, String> PENALTIES = java.util.Map.of("presence_penalty", "presence",
      "frequency_penalty", "frequency", "repetition_penalty", "repetition");

  /** The OpenAI parameter a GenerateRequest field (as the orchestrator names it in BadRequest) came from. */
  String param(String field) {
    if (field.equals("text") || field.equals("tokens") || field.equals("prompt")) {
      return endpoint == Endpoint.CHAT ? "messages" : "prompt";
    }
    if (field.startsWith("chat.messages")) return "messages" + field.substring("chat.messages".length());
    if (field.equals("chat")) return "messages";
    for (var p : PENALTIES.entrySet()) if (field.equals("sampling.penalties." + p.getValue())) return p.getKey();
    if (field.startsWith("sampling.")) return field.substring("sampling.".length());
    if (field.equals("top_logprobs")) return endpoint == Endpoint.CHAT ? "top_logprobs" : "logprobs";
    if (field.equals("max_tokens") || field.equals("seed") || field.equals("stop") || field.startsWith("stop[")
        || field.equals("n")) {
      return field;
    }
    return "fsgen." + field;
  }
}
