package dev.fsgen.orchestrator;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Sends the server a deadline ({@code grpc-timeout}) that the client itself does not keep, as a
 * client in another language whose timer fires later may: what the client then reports is the
 * status the server sent, not its own. The header is set where the stream's tracers see the
 * outgoing headers; the call must have no deadline of its own, whose header grpc-java would
 * write over it.
 */
final class ServerDeadline implements ClientInterceptor {
  private static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
  private final long millis;

  ServerDeadline(long millis) {
    this.millis = millis;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return next.newCall(method, options.withStreamTracerFactory(new ClientStreamTracer.Factory() {
      @Override
      public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
        headers.discardAll(TIMEOUT);
        headers.put(TIMEOUT, millis + "m");
        return new ClientStreamTracer() {};
      }
    }));
  }
}
