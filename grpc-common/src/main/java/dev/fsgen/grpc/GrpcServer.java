package dev.fsgen.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server as every fsgen service runs it: the standard health service (NOT_SERVING until
 * {@link #serving()}), server reflection (so {@code grpcurl list} works), a message size limit, and a
 * graceful shutdown that lets running calls finish for a grace period.
 */
public final class GrpcServer implements AutoCloseable {
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private final Server server;
  private final Server probes;
  private final HealthStatusManager health;
  private final String name;

  private GrpcServer(Server server, Server probes, HealthStatusManager health, String name) {
    this.server = server;
    this.probes = probes;
    this.health = health;
    this.name = name;
  }

  /**
   * Starts listening on {@code host:port} (port 0 picks a free one).
   *
   * @param serviceNames the fully qualified service names whose health is reported
   * @param direct run handlers on the transport threads; only for handlers that never block on
   *     another call (they may wait for the model, not for the network)
   */
  public static GrpcServer start(String name, String host, int port, int maxMessageBytes, List<BindableService> services,
      List<String> serviceNames, boolean direct) {
    return start(name, host, port, maxMessageBytes, services, serviceNames, direct, ServerSecurity.NONE);
  }

  /** @param security TLS, client certificates and bearer tokens (see {@link ServerSecurity}) */
  public static GrpcServer start(String name, String host, int port, int maxMessageBytes, List<BindableService> services,
      List<String> serviceNames, boolean direct, ServerSecurity security) {
    return start(name, host, port, maxMessageBytes, services, serviceNames, direct, security, null);
  }

  /** @param metrics where calls are counted, or null */
  @SuppressWarnings("deprecation") // the v1alpha reflection service: older grpcurl releases ask only for it
  public static GrpcServer start(String name, String host, int port, int maxMessageBytes, List<BindableService> services,
      List<String> serviceNames, boolean direct, ServerSecurity security, Metrics metrics) {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    for (String s : serviceNames) health.setStatus(s, io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), security.credentials())
        .maxInboundMessageSize(maxMessageBytes)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(ProtoReflectionService.newInstance());
    for (BindableService s : services) b.addService(RequestParsing.guard(s));
    // handlers that never wait on another call may run on the transport thread: one thread
    // hand-off less per call, which is a large share of a call on a 2-core machine
    if (direct) b.directExecutor();
    io.grpc.ServerInterceptor tokens = security.tokens();
    if (tokens != null) b.intercept(tokens);
    // added last, so it runs first: refused calls (a missing token) are counted too
    if (metrics != null) b.intercept(metrics.interceptor());
    Server main;
    try {
      main = b.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " for " + name + ": " + e.getMessage(), e);
    }
    Server probes = null;
    if (security.probePort() != null) {
      try {
        probes = NettyServerBuilder.forAddress(new InetSocketAddress(host, security.probePort())).addService(health.getHealthService())
            .build().start();
      } catch (IOException e) {
        main.shutdownNow();
        throw new UncheckedIOException("cannot listen on " + host + ":" + security.probePort() + " for " + name + "'s health probes: "
            + e.getMessage(), e);
      }
    }
    return new GrpcServer(main, probes, health, name);
  }

  /** The plaintext health-only port, or -1 when there is none. */
  public int probePort() {
    return probes == null ? -1 : probes.getPort();
  }

  /** Reports SERVING for every service: call once the model (or the pair) is ready. */
  public void serving() {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    for (var s : server.getServices()) {
      health.setStatus(s.getServiceDescriptor().getName(), io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  /**
   * Sets what the health service reports for one name ("" is the server as a whole): for a
   * server whose ability to serve changes while it runs (the orchestrator, with its model
   * services' replicas). Ignored once the server is closing.
   */
  public void health(String service, boolean serving) {
    health.setStatus(service, serving ? io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
        : io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
  }

  public int port() {
    return server.getPort();
  }

  public String name() {
    return name;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets running ones finish for up to 5 s, then cancels the rest. Closing twice does nothing more. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    health.enterTerminalState();
    if (probes != null) probes.shutdownNow();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
