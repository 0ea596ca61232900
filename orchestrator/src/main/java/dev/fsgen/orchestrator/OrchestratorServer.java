package dev.fsgen.orchestrator;

import dev.fsgen.decoding.Router;
import dev.fsgen.grpc.ClientSecurity;
import dev.fsgen.grpc.Connections;
import dev.fsgen.grpc.GrpcServer;
import dev.fsgen.grpc.Metrics;
import dev.fsgen.grpc.NettyServers;
import dev.fsgen.grpc.ServerSecurity;
import dev.fsgen.orchestrator.http.HttpFrontDoor;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator as a running server: the replicas of both model services, the pair checked,
 * then its health, which follows the replicas from then on:
 *
 * <ul>
 *   <li>{@code ""} and {@code fsgen.decoding.v1.OrchestratorService}: SERVING while at least one
 *       System 2 replica is ready (healthy, its model checked, its circuit closed): every request
 *       can be served, without System 1 in degraded mode; NOT_SERVING when none is (readiness).
 *   <li>{@link #FULL}: SERVING while both services have a ready replica (nothing runs degraded).
 *   <li>{@link #LIVE}: SERVING from the start to shutdown, whatever the replicas (liveness: a
 *       restart would not bring a model service back).
 * </ul>
 */
public final class OrchestratorServer implements AutoCloseable {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(OrchestratorServer.class.getName());
  /** Health service name: SERVING while the process runs, degraded or not (liveness probes). */
  public static final String LIVE = "fsgen.orchestrator.live";
  /** Health service name: SERVING while both System 1 and System 2 have a ready replica. */
  public static final String FULL = "fsgen.orchestrator.full";
  private final GrpcServer server;
  private final ReplicaSet system1;
  private final ReplicaSet system2;
  private final Pairing pairing;
  private final Metrics metrics;

  private final WireBytes wire1;
  private final WireBytes wire2;

  private final java.util.concurrent.ScheduledExecutorService timer;
  /** The OpenAI-compatible HTTP API and the in-process gRPC server it calls, or null without --http-port. */
  private final HttpApi http;

  private OrchestratorServer(GrpcServer server, ReplicaSet system1, ReplicaSet system2, Pairing pairing, Metrics metrics,
      WireBytes wire1, WireBytes wire2, java.util.concurrent.ScheduledExecutorService timer, HttpApi http) {
    this.http = http;
    this.timer = timer;
    this.metrics = metrics;
    this.wire1 = wire1;
    this.wire2 = wire2;
    this.server = server;
    this.system1 = system1;
    this.system2 = system2;
    this.pairing = pairing;
  }

  /**
   * An orchestrator over the model services' replicas, set up as the returned builder says.
   *
   * @param system1 System 1's replicas: host:port[,host:port…] or dns:///name:port
   * @param system2 System 2's replicas, likewise
   */
  public static Builder pairing(String system1, String system2) {
    return new Builder(system1, system2);
  }

  /** How the orchestrator runs and admits callers; {@link #listen} or {@link #start} starts it. */
  public static final class Builder {
    private final String system1;
    private final String system2;
    private OrchestratorLimits limits = OrchestratorLimits.DEFAULT;
    private Duration wait = Duration.ofSeconds(30);
    private Router.Learned learned;
    private ReplicaOptions replicas = ReplicaOptions.DEFAULT;
    private ServerSecurity api = ServerSecurity.NONE;
    private ClientSecurity upstream = ClientSecurity.NONE;
    private Integer metricsPort;
    private String httpHost;
    private Integer httpPort;
    private Connections connections = Connections.DEFAULT;

    private Builder(String system1, String system2) {
      this.system1 = system1;
      this.system2 = system2;
    }

    public Builder limits(OrchestratorLimits limits) {
      this.limits = limits;
      return this;
    }

    /** How long to wait for the model services to come up (30 s unless set). */
    public Builder waitFor(Duration wait) {
      this.wait = wait;
      return this;
    }

    /** The learned router that gated requests may ask for, or null. */
    public Builder learned(Router.Learned learned) {
      this.learned = learned;
      return this;
    }

    /** How calls to the model services' replicas are placed, limited and retried. */
    public Builder replicas(ReplicaOptions replicas) {
      this.replicas = replicas;
      return this;
    }

    /** TLS and bearer tokens of the orchestrator's own API. */
    public Builder security(ServerSecurity api) {
      this.api = api;
      return this;
    }

    /** How the model services are reached: TLS, and the client certificate they require. */
    public Builder upstream(ClientSecurity upstream) {
      this.upstream = upstream;
      return this;
    }

    /** Where to serve Prometheus metrics (0: any free port), or null for no endpoint. */
    public Builder metricsPort(Integer metricsPort) {
      this.metricsPort = metricsPort;
      return this;
    }

    /**
     * Also serves the OpenAI-compatible HTTP API ({@link HttpFrontDoor}) on {@code host:port}
     * (port 0 picks a free one), or none when {@code port} is null. It is plaintext HTTP, so it
     * is refused beside TLS: the bearer tokens would cross the network in the clear.
     */
    public Builder http(String host, Integer port) {
      this.httpHost = host;
      this.httpPort = port;
      return this;
    }

    /**
     * Keepalive of the API's connections and of those to the model services, the API's connection age and its drain
     * ({@link Connections#DEFAULT} unless set).
     */
    public Builder connections(Connections connections) {
      this.connections = connections;
      return this;
    }

    /** Listens on {@code host:port} (port 0 picks a free one). */
    public OrchestratorServer listen(String host, int port) {
      return OrchestratorServer.start(this, () -> NettyServers.server(host, port, api, connections));
    }

    /**
     * Serves on {@code transport} (in-process, say): bearer tokens apply there; TLS and probes need
     * {@link #listen}. The model services are still reached over sockets.
     */
    public OrchestratorServer start(ServerBuilder<?> transport) {
      GrpcServer.Builder server = GrpcServer.on(transport).name("orchestrator").tokens(api).drain(connections.drain());
      return OrchestratorServer.start(this, () -> server);
    }
  }

  /** @param transport the server's transport, made once the pair is checked (the port is not bound before) */
  private static OrchestratorServer start(Builder b, java.util.function.Supplier<GrpcServer.Builder> transport) {
    if (b.httpPort != null && b.api.tls()) {
      throw new IllegalArgumentException("--http-port serves plaintext HTTP and cannot be combined with --tls-cert: "
          + "bearer tokens would cross the network in the clear (put a TLS-terminating proxy in front of it instead)");
    }
    String system1 = b.system1;
    String system2 = b.system2;
    OrchestratorLimits limits = b.limits;
    ClientSecurity upstream = b.upstream;
    ReplicaOptions replicas = b.replicas;
    Metrics metrics = new Metrics();
    Targets t1 = Targets.parse(system1, "--system1");
    Targets t2 = Targets.parse(system2, "--system2");
    io.prometheus.metrics.core.metrics.Counter bytes = WireBytes.counter(metrics.registry());
    WireBytes wire1 = new WireBytes("system1", bytes);
    WireBytes wire2 = new WireBytes("system2", bytes);
    ReplicaSet s1 = new ReplicaSet("System 1", ModelServiceGrpc.SERVICE_NAME, t1, ModelClient::system1,
        target -> channel(target, upstream, wire1, b.connections), replicas);
    ReplicaSet s2 = null;
    Pairing pairing = null;
    HttpApi http = null;
    // the clients' deadlines: a thread of their own, so that nothing (a slow health round) delays them
    java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "orchestrator-deadlines");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    try {
      s2 = new ReplicaSet("System 2", ModelServiceGrpc.SERVICE_NAME, t2, ModelClient::system2,
          target -> channel(target, upstream, wire2, b.connections), replicas);
      pairing = Pairing.connect(s1, s2, b.wait);
      // from now on every replica, as it (re)connects, must serve the pair's tokenizer
      s1.expect(pairing.paired2());
      s2.expect(pairing.paired2());
      OrchestratorService service = new OrchestratorService(pairing, limits, b.learned, metrics.registry());
      String name = service.bindService().getServiceDescriptor().getName();
      DeadlineReply deadlines = new DeadlineReply(limits.deadlineMarginMs(), timer);
      GrpcServer server = transport.get().name("orchestrator").service(service, deadlines).health(LIVE).health(FULL)
          .maxMessageBytes(limits.maxMessageBytes()).metrics(metrics).start();
      try {
        if (b.httpPort != null) http = HttpApi.start(b, service, deadlines, metrics);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      if (b.metricsPort != null) metrics.serve(b.metricsPort);
      Health health = new Health(http == null ? List.of(server) : List.of(server, http.grpc), name, s1, s2);
      s1.onChange(health::update);
      s2.onChange(health::update);
      health.update();
      return new OrchestratorServer(server, s1, s2, pairing, metrics, wire1, wire2, timer, http);
    } catch (RuntimeException e) {
      if (http != null) http.close();
      timer.shutdownNow();
      metrics.close();
      if (pairing != null) pairing.close();
      s1.close();
      if (s2 != null) s2.close();
      throw e;
    }
  }

  /**
   * The OpenAI-compatible HTTP API: the front door, and the in-process gRPC server that serves it
   * the very service the socket serves, with the same interceptors (bearer tokens, the deadline
   * margin, metrics) and the same health.
   */
  private record HttpApi(HttpFrontDoor door, GrpcServer grpc, io.grpc.ManagedChannel channel) implements AutoCloseable {
    static HttpApi start(Builder b, OrchestratorService service, DeadlineReply deadlines, Metrics metrics) {
      String name = io.grpc.inprocess.InProcessServerBuilder.generateName();
      GrpcServer grpc = GrpcServer.on(io.grpc.inprocess.InProcessServerBuilder.forName(name)).name("orchestrator-http")
          .tokens(new ServerSecurity(null, null, null, b.api.tokenFile())).service(service, deadlines).health(LIVE).health(FULL)
          .metrics(metrics).start();
      io.grpc.ManagedChannel channel = io.grpc.inprocess.InProcessChannelBuilder.forName(name).build();
      try {
        return new HttpApi(new HttpFrontDoor(b.httpHost, b.httpPort, channel, b.limits.maxMessageBytes(), b.limits.maxConcurrent()),
            grpc, channel);
      } catch (RuntimeException e) {
        channel.shutdownNow();
        grpc.close();
        throw e;
      }
    }

    @Override
    public void close() {
      door.close();
      channel.shutdownNow();
      grpc.close();
    }
  }

  /** The orchestrator's health as its replicas allow, set after every health round of either service. */
  private static final class Health {
    private final List<GrpcServer> servers;
    private final String name;
    private final ReplicaSet system1;
    private final ReplicaSet system2;
    private String last;

    Health(List<GrpcServer> servers, String name, ReplicaSet system1, ReplicaSet system2) {
      this.servers = servers;
      this.name = name;
      this.system1 = system1;
      this.system2 = system2;
    }

    synchronized void update() {
      boolean ready2 = system2.anyAvailable();
      boolean ready1 = system1.anyAvailable();
      for (GrpcServer server : servers) {
        server.health("", ready2);
        server.health(name, ready2);
        server.health(FULL, ready1 && ready2);
        server.health(LIVE, true);
      }
      String now = !ready2 ? "NOT_SERVING: no System 2 replica is ready (" + String.join(", ", system2.describe()) + ")"
          : !ready1 ? "SERVING without System 1 (requests run on System 2 alone, degraded: " + String.join(", ", system1.describe()) + ")"
          : "SERVING";
      if (!now.equals(last)) {
        if (last != null || !now.equals("SERVING")) LOG.log(ready2 ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING, "orchestrator: " + now);
        last = now;
      }
    }
  }

  /** System 1's replicas and their states (for tests and diagnostics). */
  public List<String> system1Replicas() {
    return system1.describe();
  }

  /** The Prometheus endpoint's port, or -1 when there is none. */
  public int metricsPort() {
    return metrics.port();
  }

  /** System 2's replicas and their states (for tests and diagnostics). */
  public List<String> system2Replicas() {
    return system2.describe();
  }

  /** Timers pending in System 1's and System 2's schedulers (tests: answered calls leave none behind). */
  int pendingTimers() {
    return system1.pendingTimers() + system2.pendingTimers();
  }

  private static ManagedChannel channel(String target, ClientSecurity security, WireBytes wire, Connections connections) {
    // model responses carry full distributions when sampling: allow them; keepalive pings, idle or not, so that a
    // replica whose node vanished is noticed within keepalive + timeout rather than at the next call's deadline
    return connections.client(NettyChannelBuilder.forTarget(target, security.credentials())).maxInboundMessageSize(64 << 20).intercept(wire)
        .build();
  }

  /**
   * Message bytes exchanged with the model services so far: {System 1 sent, System 1 received,
   * System 2 sent, System 2 received}.
   */
  public long[] modelCallBytes() {
    return new long[] {wire1.sent(), wire1.received(), wire2.sent(), wire2.received()};
  }

  public int port() {
    return server.port();
  }

  /** The OpenAI-compatible HTTP API's port, or -1 when it is not served. */
  public int httpPort() {
    return http == null ? -1 : http.door().port();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    if (http != null) http.close();
    server.close();
    timer.shutdownNow();
    metrics.close();
    pairing.close();
    system1.close();
    system2.close();
  }
}
