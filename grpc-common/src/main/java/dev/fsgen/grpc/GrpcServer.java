package dev.fsgen.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A gRPC server as every fsgen service runs it: the standard health service (NOT_SERVING until
 * {@link #serving()}), server reflection (so {@code grpcurl list} works), a message size limit, and a
 * graceful shutdown that lets running calls finish for a grace period (the drain, 5 s unless set).
 *
 * <p>Built on any transport: {@code GrpcServer.on(NettyServers.listen(host, port, security))} in
 * the services, {@code GrpcServer.on(InProcessServerBuilder.forName(n))} where a test needs no
 * socket. What the transport does not decide (services, interceptors, health, limits) is set here.
 */
public final class GrpcServer implements AutoCloseable {
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Server server;
  private final Server probes;
  private final HealthStatusManager health;
  private final String name;
  private final Duration drain;

  private GrpcServer(Server server, Server probes, HealthStatusManager health, String name, Duration drain) {
    this.server = server;
    this.probes = probes;
    this.health = health;
    this.name = name;
    this.drain = drain;
  }

  /** A server on {@code transport}, which says where it listens (and with what TLS). */
  public static Builder on(ServerBuilder<?> transport) {
    return new Builder(transport);
  }

  /** What a server serves and how; {@link #start()} builds and starts it. */
  public static final class Builder {
    private final ServerBuilder<?> transport;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<String> healthNames = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private String name = "server";
    private Integer maxMessageBytes;
    private boolean direct;
    private ServerSecurity security = ServerSecurity.NONE;
    private Metrics metrics;
    private ServerBuilder<?> probes;
    private Duration drain = Connections.DEFAULT.drain();

    private Builder(ServerBuilder<?> transport) {
      this.transport = transport;
    }

    /** The server's name in messages and logs. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Serves {@code service}, its malformed requests refused by {@link RequestParsing}, its health
     * reported under its service name.
     *
     * @param interceptors for this service's calls only (not health or reflection); the last runs first
     */
    public Builder service(BindableService service, ServerInterceptor... interceptors) {
      ServerServiceDefinition d = RequestParsing.guard(() -> ServerInterceptors.intercept(service, interceptors));
      services.add(d);
      healthNames.add(d.getServiceDescriptor().getName());
      return this;
    }

    /** Also reports health under {@code name} (a name of the server's own, such as a liveness check). */
    public Builder health(String name) {
      healthNames.add(name);
      return this;
    }

    /** Intercepts every call, health and reflection too; the last added runs first. */
    public Builder interceptor(ServerInterceptor interceptor) {
      interceptors.add(interceptor);
      return this;
    }

    /**
     * The largest request message accepted; the transport's default when not set. Socket transports
     * refuse larger ones with RESOURCE_EXHAUSTED; the in-process transport does not check.
     */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * Runs handlers on the transport threads: only for handlers that never block on another call
     * (they may wait for the model, not for the network).
     */
    public Builder direct() {
      this.direct = true;
      return this;
    }

    /**
     * The bearer tokens every call but health must carry. TLS and the probe port are the
     * transport's: see {@link NettyServers}.
     */
    public Builder security(ServerSecurity security) {
      this.security = security;
      return this;
    }

    /**
     * The bearer tokens of {@code security} on a transport that is no socket (in-process): TLS and
     * a probe port, which only {@link NettyServers} gives, are refused rather than left out.
     */
    public Builder tokens(ServerSecurity security) {
      if (security.tls() || security.probePort() != null) {
        throw new IllegalArgumentException(name + ": TLS and a probe port need a socket (listen on a host and port)");
      }
      return security(security);
    }

    /** Counts every call, refused ones too, in {@code metrics}. */
    public Builder metrics(Metrics metrics) {
      this.metrics = metrics;
      return this;
    }

    /**
     * How long {@link GrpcServer#close} lets running calls finish before it cancels them ({@link Connections#drain};
     * 5 s unless set). In a pod it must end before Kubernetes' termination grace period does.
     */
    public Builder drain(Duration drain) {
      if (drain == null || drain.isNegative()) throw new IllegalArgumentException(name + ": the drain must be 0 or more, got " + drain);
      this.drain = drain;
      return this;
    }

    /** A second transport that serves only the health service (probes that cannot speak TLS), or null. */
    public Builder probes(ServerBuilder<?> probes) {
      this.probes = probes;
      return this;
    }

    @SuppressWarnings("deprecation") // the v1alpha reflection service: older grpcurl releases ask only for it
    public GrpcServer start() {
      HealthStatusManager health = new HealthStatusManager();
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
      for (String s : healthNames) health.setStatus(s, ServingStatus.NOT_SERVING);
      transport.addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .addService(ProtoReflectionService.newInstance());
      if (maxMessageBytes != null) transport.maxInboundMessageSize(maxMessageBytes);
      for (ServerServiceDefinition s : services) transport.addService(s);
      // handlers that never wait on another call may run on the transport thread: one thread
      // hand-off less per call, which is a large share of a call on a 2-core machine
      if (direct) transport.directExecutor();
      for (ServerInterceptor i : interceptors) transport.intercept(i);
      ServerInterceptor tokens = security.tokens();
      if (tokens != null) transport.intercept(tokens);
      // added last, so it runs first: refused calls (a missing token) are counted too
      if (metrics != null) transport.intercept(metrics.interceptor());
      Server main;
      try {
        main = transport.build().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
      }
      Server probeServer = null;
      if (probes != null) {
        try {
          probeServer = probes.addService(health.getHealthService()).build().start();
        } catch (IOException e) {
          main.shutdownNow();
          throw new UncheckedIOException("cannot start " + name + "'s health probes: " + e.getMessage(), e);
        }
      }
      return new GrpcServer(main, probeServer, health, name, drain);
    }
  }

  /** The plaintext health-only port, or -1 when there is none. */
  public int probePort() {
    return probes == null ? -1 : probes.getPort();
  }

  /** Reports SERVING for every service: call once the model (or the pair) is ready. */
  public void serving() {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    for (var s : server.getServices()) health.setStatus(s.getServiceDescriptor().getName(), ServingStatus.SERVING);
  }

  /**
   * Sets what the health service reports for one name ("" is the server as a whole): for a
   * server whose ability to serve changes while it runs (the orchestrator, with its model
   * services' replicas). Ignored once the server is closing.
   */
  public void health(String service, boolean serving) {
    health.setStatus(service, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** The bound port, or -1 on a transport without one (in-process). */
  public int port() {
    return server.getPort();
  }

  public String name() {
    return name;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** How long {@link #close} lets running calls finish. */
  public Duration drain() {
    return drain;
  }

  /**
   * Stops taking calls (health NOT_SERVING, GOAWAY to every connection), lets running ones finish for up to the
   * drain, then cancels the rest. Closing twice does nothing more.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    health.enterTerminalState();
    if (probes != null) probes.shutdownNow();
    server.shutdown();
    try {
      if (!server.awaitTermination(drain.toNanos(), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
