package dev.fsgen.grpc;

import io.grpc.Attributes;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Requests that do not parse as their message type get INVALID_ARGUMENT, with the reason.
 *
 * <p>grpc-java parses a request inside the call's listener, and a parser that throws there ends the
 * call with {@code UNKNOWN: Application error processing RPC}, which tells the caller nothing. Here
 * every method of a service is re-bound to receive the raw bytes (as grpc-java's own
 * {@code ServerInterceptors.useMarshalledMessages} does) and parses them itself with the method's
 * own marshaller, answering a failure as what it is. Names and schema descriptors are kept, so
 * reflection is unchanged.
 */
final class RequestParsing {
  private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private RequestParsing() {}

  static ServerServiceDefinition guard(BindableService service) {
    ServerServiceDefinition original = service.bindService();
    ServiceDescriptor od = original.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(od.getName()).setSchemaDescriptor(od.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : original.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(m);
      descriptor.addMethod(guarded.getMethodDescriptor());
      methods.add(guarded);
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> m : methods) out.addMethod(m);
    return out.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> guard(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> method = m.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw = method.toBuilder(RAW, method.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = m.getServerCallHandler();
    return ServerMethodDefinition.create(raw, (call, headers) -> {
      ServerCall.Listener<Q> listener = handler.startCall(new Typed<>(call, method), headers);
      return new ServerCall.Listener<InputStream>() {
        private boolean refused;

        @Override
        public void onMessage(InputStream message) {
          if (refused) return;
          Q request;
          try {
            request = method.parseRequest(message);
          } catch (RuntimeException e) {
            refused = true;
            Throwable cause = Status.fromThrowable(e).getCause();
            Statuses.close(call, new InvalidRequestException("", "the request is not a valid "
                + method.getFullMethodName() + " request: it does not parse" + (cause != null
                    ? " (" + cause.getMessage() + ")" : "")));
            return;
          }
          listener.onMessage(request);
        }

        @Override
        public void onHalfClose() {
          if (!refused) listener.onHalfClose();
        }

        @Override
        public void onCancel() {
          listener.onCancel();
        }

        @Override
        public void onComplete() {
          listener.onComplete();
        }

        @Override
        public void onReady() {
          if (!refused) listener.onReady();
        }
      };
    });
  }

  /** The raw call as the handler expects it: the same call, reporting the method's own descriptor. */
  private static final class Typed<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> method;

    Typed(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
