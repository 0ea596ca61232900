package dev.fsgen.grpc;

import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;

/**
 * The socket transport the services listen on: what only a socket has (the bound address, TLS and
 * client certificates, a plaintext probe port) is decided here; everything else is {@link GrpcServer}'s.
 */
public final class NettyServers {
  private NettyServers() {}

  /** Listens on {@code host:port} (port 0 picks a free one) with the TLS of {@code security}. */
  public static ServerBuilder<?> listen(String host, int port, ServerSecurity security) {
    return NettyServerBuilder.forAddress(new InetSocketAddress(host, port), security.credentials());
  }

  /** The plaintext health-only port {@code security} asks for on {@code host}, or null when it asks for none. */
  public static ServerBuilder<?> probes(String host, ServerSecurity security) {
    return security.probePort() == null ? null : NettyServerBuilder.forAddress(new InetSocketAddress(host, security.probePort()));
  }

  /** A server on {@code host:port} with TLS, tokens and probe port as {@code security} says. */
  public static GrpcServer.Builder server(String host, int port, ServerSecurity security) {
    return GrpcServer.on(listen(host, port, security)).security(security).probes(probes(host, security));
  }
}
