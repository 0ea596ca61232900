package dev.fsgen.orchestrator.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.fsgen.grpc.InvalidRequestException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every request parameter the front door knows, in one table: those it translates, those it
 * accepts because they cannot change the output, and those it refuses (unless they hold their
 * default) because it cannot yet honour them. A parameter the table does not know is refused too:
 * silently dropping one that changes the output would answer another question than the one asked.
 * Support for a parameter is added here and in {@link OpenAiRequest}.
 */
final class OpenAiParameters {
  private OpenAiParameters() {}

  /** The endpoints that take request bodies. */
  enum Endpoint {
    COMPLETIONS("/v1/completions", "text_completion"),
    CHAT("/v1/chat/completions", "chat.completion");

    final String path;
    final String object;

    Endpoint(String path, String object) {
      this.path = path;
      this.object = object;
    }
  }

  /** What the front door does with a parameter. */
  enum Support {
    /** Translated into the GenerateRequest (OpenAiRequest reads it). */
    TRANSLATED,
    /** Accepted and not used: it cannot change the generated text (an end-user id, say). */
    IGNORED,
    /** Refused with 400 naming it, unless it holds its default (which asks for nothing). */
    REFUSED
  }

  private record Parameter(Set<Endpoint> endpoints, Support support, Predicate<JsonElement> atDefault) {}

  private static final Set<Endpoint> BOTH = EnumSet.allOf(Endpoint.class);
  private static final Set<Endpoint> CHAT = EnumSet.of(Endpoint.CHAT);
  private static final Set<Endpoint> COMPLETIONS = EnumSet.of(Endpoint.COMPLETIONS);
  private static final Predicate<JsonElement> NEVER = e -> false;
  private static final Map<String, Parameter> TABLE = new LinkedHashMap<>();

  static {
    for (String p : new String[] {"model", "max_tokens", "temperature", "top_p", "seed", "stop", "n", "stream", "stream_options", "fsgen",
        "logprobs", "presence_penalty", "frequency_penalty", "repetition_penalty"}) {
      TABLE.put(p, new Parameter(BOTH, Support.TRANSLATED, NEVER));
    }
    TABLE.put("prompt", new Parameter(COMPLETIONS, Support.TRANSLATED, NEVER));
    TABLE.put("messages", new Parameter(CHAT, Support.TRANSLATED, NEVER));
    TABLE.put("max_completion_tokens", new Parameter(CHAT, Support.TRANSLATED, NEVER));
    TABLE.put("top_logprobs", new Parameter(CHAT, Support.TRANSLATED, NEVER));
    // who asks, and what OpenAI's own service does with the answer afterwards
    for (String p : new String[] {"user", "store", "metadata", "service_tier", "parallel_tool_calls"}) {
      TABLE.put(p, new Parameter(BOTH, Support.IGNORED, NEVER));
    }
    // not yet: each would change the output
    refused(BOTH, "best_of", e -> isNumber(e, 1));
    refused(BOTH, "logit_bias", e -> e.isJsonObject() && e.getAsJsonObject().isEmpty());
    refused(COMPLETIONS, "echo", OpenAiParameters::isFalse);
    refused(COMPLETIONS, "suffix", e -> isString(e, ""));
    refused(CHAT, "response_format", e -> e.isJsonObject() && e.getAsJsonObject().size() == 1
        && isString(e.getAsJsonObject().get("type"), "text"));
    refused(CHAT, "tools", e -> e.isJsonArray() && e.getAsJsonArray().isEmpty());
    refused(CHAT, "tool_choice", e -> isString(e, "none"));
    refused(CHAT, "functions", e -> e.isJsonArray() && e.getAsJsonArray().isEmpty());
    refused(CHAT, "function_call", e -> isString(e, "none"));
    for (String p : new String[] {"reasoning_effort", "modalities", "audio", "prediction", "web_search_options", "verbosity"}) {
      refused(CHAT, p, NEVER);
    }
  }

  private static void refused(Set<Endpoint> endpoints, String name, Predicate<JsonElement> atDefault) {
    TABLE.put(name, new Parameter(endpoints, Support.REFUSED, atDefault));
  }

  private static boolean isNumber(JsonElement e, double v) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsDouble() == v;
  }

  private static boolean isString(JsonElement e, String v) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && e.getAsString().equals(v);
  }

  private static boolean isFalse(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean();
  }

  /** Refuses the first parameter of {@code body} that {@code endpoint} does not take or cannot honour. */
  static void check(Endpoint endpoint, JsonObject body) {
    for (Map.Entry<String, JsonElement> e : body.entrySet()) {
      Parameter p = TABLE.get(e.getKey());
      if (p == null || !p.endpoints().contains(endpoint)) {
        throw new InvalidRequestException(e.getKey(), "unknown parameter '" + e.getKey() + "' for " + endpoint.path);
      }
      if (p.support() == Support.REFUSED && !e.getValue().isJsonNull() && !p.atDefault().test(e.getValue())) {
        throw new InvalidRequestException(e.getKey(), "'" + e.getKey() + "' is not supported yet by fsgen's "
            + endpoint.path + ": leave it out (or at its default)");
      }
    }
  }
}
