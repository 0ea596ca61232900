package dev.fsgen.grpc;

import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;

/**
 * The socket transport the services listen on: what only a socket has (the bound address, TLS and
 * client certificates, a plaintext probe port, keepalive and connection age) is decided here;
 * everything else is {@link GrpcServer}'s.
 */
public final class NettyServers {
  private NettyServers() {}

  /** Listens on {@code host:port} (port 0 picks a free one) with the TLS of {@code security} and {@link Connections#DEFAULT}. */
  public static ServerBuilder<?> listen(String host, int port, ServerSecurity security) {
    return listen(host, port, security, Connections.DEFAULT);
  }

  /**
   * Listens on {@code host:port} (port 0 picks a free one) with the TLS of {@code security}, keepalive, permitted
   * pings and connection age as {@code connections} says.
   */
  public static ServerBuilder<?> listen(String host, int port, ServerSecurity security, Connections connections) {
    return connections.server(NettyServerBuilder.forAddress(new InetSocketAddress(host, port), security.credentials()));
  }

  /**
   * The plaintext health-only port {@code security} asks for on {@code host}, or null when it asks for none. Its
   * callers (kubelet) open a connection per probe: no keepalive or connection age there.
   */
  public static ServerBuilder<?> probes(String host, ServerSecurity security) {
    return security.probePort() == null ? null : NettyServerBuilder.forAddress(new InetSocketAddress(host, security.probePort()));
  }

  /** A server on {@code host:port} with TLS, tokens and probe port as {@code security} says, and {@link Connections#DEFAULT}. */
  public static GrpcServer.Builder server(String host, int port, ServerSecurity security) {
    return server(host, port, security, Connections.DEFAULT);
  }

  /**
   * A server on {@code host:port} with TLS, tokens and probe port as {@code security} says, its connections kept,
   * recycled and drained as {@code connections} says.
   */
  public static GrpcServer.Builder server(String host, int port, ServerSecurity security, Connections connections) {
    return GrpcServer.on(listen(host, port, security, connections)).security(security).probes(probes(host, security))
        .drain(connections.drain());
  }
}
