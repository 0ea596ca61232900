package dev.fsgen.orchestrator;

import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;

/** Generate with whatever bytes a test makes, parseable or not: the wire as a hostile client sees it. */
final class RawGenerate {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    public byte[] parse(InputStream in) {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
      .setFullMethodName(OrchestratorServiceGrpc.getGenerateMethod().getFullMethodName())
      .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

  private RawGenerate() {}

  /** Sends the bytes as a Generate request and reads the stream to its end (a bad status throws). */
  static void send(Channel channel, CallOptions options, byte[] payload) {
    for (Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel, METHOD, options, payload); it.hasNext(); ) it.next();
  }
}
