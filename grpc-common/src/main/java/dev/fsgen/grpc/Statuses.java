package dev.fsgen.grpc;

import dev.fsgen.decoding.CancelledException;
import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.decoding.OverloadedException;
import dev.fsgen.decoding.UnsupportedByModelException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where fsgen's errors become gRPC statuses. Handlers throw domain exceptions (or
 * IllegalArgumentException for bad input) and never build a Status themselves.
 */
public final class Statuses {
  private static final Logger LOG = Logger.getLogger(Statuses.class.getName());

  /** Trailer of a FAILED_PRECONDITION that means "send the whole prefix again" (a cache miss). */
  public static final Metadata.Key<String> CACHE_MISS = Metadata.Key.of("fsgen-cache-miss", Metadata.ASCII_STRING_MARSHALLER);

  private Statuses() {}

  /** Whether a call failed because the server's cache did not hold the prefix start it was sent. */
  public static boolean isCacheMiss(Throwable e) {
    if (!(e instanceof StatusRuntimeException s) || s.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) return false;
    Metadata trailers = s.getTrailers();
    return trailers != null && trailers.containsKey(CACHE_MISS);
  }

  public static Status from(Throwable e) {
    if (e instanceof StatusRuntimeException s) return s.getStatus();
    if (e instanceof StatusException s) return s.getStatus();
    if (e instanceof IllegalArgumentException) return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    if (e instanceof OverloadedException) return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
    if (e instanceof ModelUnavailableException) return Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e.getCause());
    if (e instanceof IncompatibleModelsException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof UnsupportedByModelException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof CancelledException || e instanceof CancellationException) {
      return Status.CANCELLED.withDescription(e.getMessage());
    }
    if (e instanceof java.util.concurrent.TimeoutException) return Status.DEADLINE_EXCEEDED.withDescription(e.getMessage());
    if (e instanceof CacheMissException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
    if (e instanceof SessionConflictException) return Status.ALREADY_EXISTS.withDescription(e.getMessage());
    if (e instanceof OutOfMemoryError) return Status.RESOURCE_EXHAUSTED.withDescription("out of memory: " + e.getMessage());
    // a bug: say so without the stack trace, and keep the trace in the server log
    LOG.log(Level.SEVERE, "internal error", e);
    return Status.INTERNAL.withDescription(e.getClass().getSimpleName() + ": " + e.getMessage()).withCause(e);
  }

  public static StatusRuntimeException toException(Throwable e) {
    if (e instanceof CacheMissException) {
      Metadata trailers = new Metadata();
      trailers.put(CACHE_MISS, "1");
      return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException(trailers);
    }
    return from(e).asRuntimeException();
  }
}
