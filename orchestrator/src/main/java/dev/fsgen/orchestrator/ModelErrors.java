package dev.fsgen.orchestrator;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.fsgen.decoding.CancelledException;
import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.UnsupportedByModelException;
import dev.fsgen.grpc.CacheMissException;
import dev.fsgen.grpc.DeadlineExceededException;
import dev.fsgen.grpc.ErrorReason;
import dev.fsgen.grpc.InternalException;
import dev.fsgen.grpc.InvalidRequestException;
import dev.fsgen.grpc.NotImplementedException;
import dev.fsgen.grpc.SessionConflictException;
import dev.fsgen.grpc.Statuses;
import dev.fsgen.grpc.UnauthenticatedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.function.Supplier;

/**
 * The one place where a model service's statuses become fsgen's errors again: the inverse of
 * {@link Statuses}, read from the status's ErrorInfo reason. A status without one (the transport's
 * own: a refused connection, a passed deadline) is mapped by its code where fsgen has an error
 * for it; any other status goes on as it came.
 */
final class ModelErrors {
  private ModelErrors() {}

  /** Runs one model service call, its failure as a domain exception. */
  static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw toDomain(e);
    }
  }

  static RuntimeException toDomain(StatusRuntimeException e) {
    String message = e.getStatus().getDescription();
    ErrorReason reason = null;
    ErrorInfo info = null;
    String field = "";
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      try {
        for (com.google.protobuf.Any a : details.getDetailsList()) {
          if (a.is(ErrorInfo.class)) info = a.unpack(ErrorInfo.class);
          if (a.is(BadRequest.class) && a.unpack(BadRequest.class).getFieldViolationsCount() > 0) {
            field = a.unpack(BadRequest.class).getFieldViolations(0).getField();
          }
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
        info = null; // details that do not parse: the code alone says what happened
      }
    }
    if (info != null && info.getDomain().equals(Statuses.DOMAIN)) reason = reasonNamed(info.getReason());
    if (reason == null) reason = byCode(e.getStatus().getCode());
    if (reason == null) return e;
    RuntimeException out = switch (reason) {
      case INVALID_REQUEST -> new InvalidRequestException(field, message, e);
      case CACHE_MISS -> new CacheMissException(message, Integer.parseInt(info.getMetadataOrDefault(Statuses.CACHED_TOKENS, "0")));
      case SESSION_BUSY -> new SessionConflictException(message);
      case OVERLOADED -> new OverloadedException(message);
      case MODEL_UNAVAILABLE -> new ModelUnavailableException(message, e);
      case INCOMPATIBLE_MODELS -> new IncompatibleModelsException(message);
      case UNSUPPORTED_BY_MODEL -> new UnsupportedByModelException(message, e);
      case NOT_IMPLEMENTED -> new NotImplementedException(message);
      case CANCELLED -> new CancelledException(message);
      case DEADLINE_EXCEEDED -> new DeadlineExceededException(message);
      case UNAUTHENTICATED -> new UnauthenticatedException(message);
      case INTERNAL -> new InternalException(message);
    };
    if (out.getCause() == null) out.initCause(e);
    return out;
  }

  private static ErrorReason reasonNamed(String name) {
    try {
      return ErrorReason.valueOf(name);
    } catch (IllegalArgumentException unknown) {
      return null; // a reason of a newer service: the code says what kind of failure it is
    }
  }

  /** The errors a status says by its code alone: those the transport reports itself. */
  private static ErrorReason byCode(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE -> ErrorReason.MODEL_UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> ErrorReason.OVERLOADED;
      case DEADLINE_EXCEEDED -> ErrorReason.DEADLINE_EXCEEDED;
      case CANCELLED -> ErrorReason.CANCELLED;
      default -> null;
    };
  }
}
