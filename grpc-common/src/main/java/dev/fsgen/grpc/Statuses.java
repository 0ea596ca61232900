package dev.fsgen.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.fsgen.decoding.CancelledException;
import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.UnsupportedByModelException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where fsgen's errors become gRPC statuses. Handlers throw domain exceptions (or
 * IllegalArgumentException for bad input) and never build a Status themselves. Every status
 * carries {@code google.rpc} details in the standard {@code grpc-status-details-bin} trailer: an
 * ErrorInfo with its {@link ErrorReason} in domain {@value #DOMAIN}, a BadRequest for an invalid
 * field, a RetryInfo where trying again later can succeed. The orchestrator's model clients map
 * them back ({@code ModelErrors}).
 */
public final class Statuses {
  private static final Logger LOG = Logger.getLogger(Statuses.class.getName());

  /** The ErrorInfo domain of fsgen's reasons. */
  public static final String DOMAIN = "fsgen.dev";
  /** ErrorInfo metadata of a CACHE_MISS: the length of the cached start the request named. */
  public static final String CACHED_TOKENS = "cached_tokens";
  /** The RetryInfo delay of OVERLOADED and MODEL_UNAVAILABLE: a hint, the replica set's own backoff is shorter. */
  public static final java.time.Duration RETRY_DELAY = java.time.Duration.ofSeconds(1);
  /** The trailer that carries the details, as gRPC's StatusProto reads it. */
  private static final Metadata.Key<com.google.rpc.Status> DETAILS = Metadata.Key.of("grpc-status-details-bin",
      ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  private Statuses() {}

  /** The status of a failure, without its details (use {@link #toException} to send it). */
  public static Status from(Throwable e) {
    if (e instanceof StatusRuntimeException s) return s.getStatus();
    if (e instanceof StatusException s) return s.getStatus();
    if (e instanceof IllegalArgumentException) return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    if (e instanceof OverloadedException) return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    if (e instanceof ModelUnavailableException) return Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e.getCause());
    if (e instanceof IncompatibleModelsException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof UnsupportedByModelException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof NotImplementedException) return Status.UNIMPLEMENTED.withDescription(e.getMessage());
    if (e instanceof CancelledException || e instanceof CancellationException) {
      return Status.CANCELLED.withDescription(e.getMessage());
    }
    if (e instanceof TimeoutException || e instanceof DeadlineExceededException) {
      return Status.DEADLINE_EXCEEDED.withDescription(e.getMessage());
    }
    if (e instanceof CacheMissException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof SessionConflictException) return Status.ALREADY_EXISTS.withDescription(e.getMessage());
    if (e instanceof UnauthenticatedException) return Status.UNAUTHENTICATED.withDescription(e.getMessage());
    if (e instanceof InternalException) return Status.INTERNAL.withDescription(e.getMessage());
    if (e instanceof OutOfMemoryError) return Status.RESOURCE_EXHAUSTED.withDescription("out of memory: " + e.getMessage());
    // a bug: say so without the stack trace, and keep the trace in the server log
    LOG.log(Level.SEVERE, "internal error", e);
    return Status.INTERNAL.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage()).withCause(e);
  }

  /** The reason of a failure that {@link #from} mapped to {@code code}. */
  private static ErrorReason reason(Throwable e, Status.Code code) {
    if (e instanceof CacheMissException) return ErrorReason.CACHE_MISS;
    if (e instanceof OverloadedException || e instanceof OutOfMemoryError) return ErrorReason.OVERLOADED;
    return switch (code) {
      case INVALID_ARGUMENT -> ErrorReason.INVALID_REQUEST;
      case UNAVAILABLE -> ErrorReason.MODEL_UNAVAILABLE;
      case FAILED_PRECONDITION -> e instanceof IncompatibleModelsException ? ErrorReason.INCOMPATIBLE_MODELS
          : ErrorReason.UNSUPPORTED_BY_MODEL;
      case UNIMPLEMENTED -> ErrorReason.NOT_IMPLEMENTED;
      case CANCELLED -> ErrorReason.CANCELLED;
      case DEADLINE_EXCEEDED -> ErrorReason.DEADLINE_EXCEEDED;
      case ALREADY_EXISTS -> ErrorReason.SESSION_BUSY;
      case UNAUTHENTICATED -> ErrorReason.UNAUTHENTICATED;
      default -> ErrorReason.INTERNAL;
    };
  }

  /**
   * The failure as a status with its details, ready for StreamObserver.onError; a status received
   * from elsewhere goes on as it came, with its own details.
   */
  public static StatusRuntimeException toException(Throwable e) {
    if (e instanceof StatusRuntimeException s) return s;
    if (e instanceof StatusException s) return new StatusRuntimeException(s.getStatus(), s.getTrailers());
    Status status = from(e);
    ErrorReason reason = reason(e, status.getCode());
    Metadata trailers = new Metadata();
    trailers.put(DETAILS, details(e, reason, status));
    return status.asRuntimeException(trailers);
  }

  /** Closes a call that fails before (or instead of) its handler, with the failure's status and details. */
  public static void close(ServerCall<?, ?> call, Throwable e) {
    StatusRuntimeException s = toException(e);
    call.close(s.getStatus(), s.getTrailers() == null ? new Metadata() : s.getTrailers());
  }

  private static com.google.rpc.Status details(Throwable e, ErrorReason reason, Status status) {
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(reason.name()).setDomain(DOMAIN);
    if (e instanceof CacheMissException m) info.putMetadata(CACHED_TOKENS, Integer.toString(m.cachedTokens()));
    com.google.rpc.Status.Builder out = com.google.rpc.Status.newBuilder().setCode(status.getCode().value())
        .setMessage(status.getDescription() == null ? "" : status.getDescription()).addDetails(Any.pack(info.build()));
    if (reason == ErrorReason.INVALID_REQUEST) {
      String field = e instanceof InvalidRequestException i ? i.field() : "";
      out.addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField(field).setDescription(out.getMessage())).build()));
    }
    if (reason == ErrorReason.OVERLOADED || reason == ErrorReason.MODEL_UNAVAILABLE) {
      out.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder()
          .setSeconds(RETRY_DELAY.getSeconds()).setNanos(RETRY_DELAY.getNano())).build()));
    }
    return out.build();
  }
}
