package dev.fsgen.orchestrator;

import dev.fsgen.grpc.DeadlineExceededException;
import dev.fsgen.grpc.Statuses;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a call whose deadline comes with a DEADLINE_EXCEEDED status the client can read.
 *
 * <p>Left to itself, grpc-java expires a server call by cancelling its context and its stream: a
 * call that has not answered yet gets a DEADLINE_EXCEEDED status, but one that has already sent
 * its headers (a Generate stream under way) gets RST_STREAM, which a client whose own timer has
 * not fired yet reads as CANCELLED ("Call cancelled" in grpc-js). So the handler runs in a context
 * whose deadline is {@code margin} earlier than the client's; when it passes, this closes the call
 * with DEADLINE_EXCEEDED (trailers, sent before gRPC's own expiry), the model calls made in that
 * context are cancelled, and whatever the handler still sends is dropped. A call that arrives with
 * less than the margin left is answered at once, its work never started.
 */
final class DeadlineReply implements ServerInterceptor {
  private final long marginNanos;
  private final ScheduledExecutorService timer;

  DeadlineReply(long marginMillis, ScheduledExecutorService timer) {
    this.marginNanos = TimeUnit.MILLISECONDS.toNanos(marginMillis);
    this.timer = timer;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) return next.startCall(call, headers);
    long left = deadline.timeRemaining(TimeUnit.NANOSECONDS) - marginNanos;
    Closing<Q, R> closing = new Closing<>(call);
    if (left <= 0) {
      closing.expire();
      return new ServerCall.Listener<>() {};
    }
    Context.CancellableContext work = Context.current().withDeadlineAfter(left, TimeUnit.NANOSECONDS, timer);
    work.addListener(c -> {
      // only its own deadline: a client that cancelled has no stream to answer on
      if (work.cancellationCause() instanceof TimeoutException) closing.expire();
    }, Runnable::run);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(work, closing, headers, next);
    return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          work.cancel(null); // the timer goes with it
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          work.cancel(null);
        }
      }
    };
  }

  /** The call, closed at most once, by the handler or by the deadline, whichever comes first; sends after that are dropped. */
  private static final class Closing<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;
    private boolean expired;
    private final long started = System.nanoTime();

    Closing(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized void expire() {
      if (closed || super.isCancelled()) return;
      expired = true;
      StatusRuntimeException s = Statuses.toException(new DeadlineExceededException(String.format(
          "the call's deadline passed %.0f ms after it began, before it finished", (System.nanoTime() - started) / 1e6)));
      close(s.getStatus(), s.getTrailers());
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) super.sendHeaders(headers);
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) super.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) return;
      closed = true;
      super.close(status, trailers);
    }

    @Override
    public synchronized boolean isCancelled() {
      return expired || super.isCancelled();
    }
  }
}
