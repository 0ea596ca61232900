package dev.fsgen.orchestrator.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.fsgen.grpc.InvalidRequestException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * A request body as strict JSON (RFC 8259: no comments, unquoted names or trailing data, which
 * Gson's default leniency would let through), and its fields read with their types checked: a
 * value of the wrong type is refused naming the parameter, never coerced.
 */
final class JsonBody {
  private JsonBody() {}

  /** The body as a JSON object, or INVALID_ARGUMENT saying why it is not one. */
  static JsonObject parse(String body) {
    try (JsonReader reader = new JsonReader(new StringReader(body))) {
      reader.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("data after the JSON value");
      if (!e.isJsonObject()) throw new InvalidRequestException("", "the request body must be a JSON object");
      return e.getAsJsonObject();
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new InvalidRequestException("", "the request body is not valid JSON: " + e.getMessage());
    }
  }

  /** Whether the parameter is absent or null (OpenAI's clients send null for "not given"). */
  static boolean absent(JsonObject o, String name) {
    return !o.has(name) || o.get(name).isJsonNull();
  }

  static String string(JsonObject o, String name, String param) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new InvalidRequestException(param, param + " must be a string");
    }
    return e.getAsString();
  }

  static boolean bool(JsonObject o, String name) {
    if (absent(o, name)) return false;
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw new InvalidRequestException(name, name + " must be true or false");
    return e.getAsBoolean();
  }

  static double number(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new InvalidRequestException(name, name + " must be a number");
    return e.getAsDouble();
  }

  /** An integer in [min, max]; 2.0 is an integer, 2.5 and "2" are not. */
  static long integer(JsonElement e, String param, long min, long max) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new InvalidRequestException(param, param + " must be an integer");
    BigDecimal v = e.getAsBigDecimal();
    if (v.stripTrailingZeros().scale() > 0) throw new InvalidRequestException(param, param + " must be an integer, got " + v);
    if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new InvalidRequestException(param, param + " must be in [" + min + ", " + max + "], got " + v);
    }
    return v.longValueExact();
  }

  static JsonObject object(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (!e.isJsonObject()) throw new InvalidRequestException(name, name + " must be a JSON object");
    return e.getAsJsonObject();
  }
}
