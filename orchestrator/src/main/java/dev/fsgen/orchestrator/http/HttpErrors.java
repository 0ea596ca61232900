package dev.fsgen.orchestrator.http;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.fsgen.grpc.Statuses;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * The one place where a gRPC status becomes an HTTP answer: its code, and OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}}. The front door's own refusals (a body
 * that does not parse, an unsupported parameter) are thrown as the domain's exceptions and pass
 * through {@link Statuses} first, so that every error, the orchestrator's or the front door's,
 * takes the same path.
 *
 * @param http the HTTP status code
 * @param body the error object
 * @param retryAfterSeconds the RetryInfo delay, for a Retry-After header; -1 when there is none
 */
record HttpErrors(int http, JsonObject body, long retryAfterSeconds) {

  /** The HTTP status of a gRPC code: what a client of an OpenAI-compatible server expects for that failure. */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      // the served model cannot do what is asked (a chat prompt for a model without a chat
      // template): the request, not the server, must change, as vLLM answers it
      case FAILED_PRECONDITION -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS -> 409; // the session id is already generating
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  /** OpenAI's error type for an HTTP status. */
  private static String type(int http) {
    return switch (http) {
      case 400, 404, 405, 409, 413 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      case 503, 504 -> "service_unavailable_error";
      default -> "server_error";
    };
  }

  /**
   * Any failure: a status from the orchestrator (with its google.rpc details), or one of the front
   * door's own exceptions, mapped by {@link Statuses} as the orchestrator maps its own.
   *
   * @param params the OpenAI parameter a request field came from (the BadRequest field names the
   *     request field, e.g. sampling.temperature, which the client knows as temperature)
   */
  static HttpErrors of(Throwable failure, java.util.function.UnaryOperator<String> params) {
    StatusRuntimeException e = Statuses.toException(failure instanceof Refusal r
        ? new dev.fsgen.grpc.InvalidRequestException(r.field, r.getMessage()) : failure);
    Status status = e.getStatus();
    String code = status.getCode().name().toLowerCase(java.util.Locale.ROOT);
    String param = null;
    long retry = -1;
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (com.google.protobuf.Any any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) code = any.unpack(ErrorInfo.class).getReason().toLowerCase(java.util.Locale.ROOT);
          if (any.is(BadRequest.class)) {
            BadRequest bad = any.unpack(BadRequest.class);
            if (bad.getFieldViolationsCount() > 0 && !bad.getFieldViolations(0).getField().isEmpty()) {
              param = params.apply(bad.getFieldViolations(0).getField());
            }
          }
          if (any.is(RetryInfo.class)) retry = Math.max(1, any.unpack(RetryInfo.class).getRetryDelay().getSeconds());
        } catch (InvalidProtocolBufferException ignored) {
          // a detail that does not parse is left out; the status itself still says what failed
        }
      }
    }
    int http = failure instanceof Refusal r ? r.http : httpStatus(status.getCode());
    String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
    return new HttpErrors(http, body(message, type(http), param, code), retry);
  }

  private static JsonObject body(String message, String type, String param, String code) {
    JsonObject error = new JsonObject();
    error.addProperty("message", message);
    error.addProperty("type", type);
    if (param == null) error.add("param", JsonNull.INSTANCE);
    else error.addProperty("param", param);
    error.addProperty("code", code);
    JsonObject out = new JsonObject();
    out.add("error", error);
    return out;
  }

  /**
   * A request the front door refuses with an HTTP status of its own, where no gRPC code says it
   * (413 for a body over the limit, 404 for a path or model not served, 405 for a method): an
   * invalid request otherwise, mapped like every other.
   */
  static final class Refusal extends RuntimeException {
    final int http;
    final String field;

    /** @param field the OpenAI parameter at fault, or "" */
    Refusal(int http, String field, String message) {
      super(message);
      this.http = http;
      this.field = field;
    }
  }
}
