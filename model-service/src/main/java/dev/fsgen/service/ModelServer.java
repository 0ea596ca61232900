package dev.fsgen.service;

import dev.fsgen.grpc.GrpcServer;
import dev.fsgen.grpc.Metrics;
import dev.fsgen.grpc.NettyServers;
import dev.fsgen.grpc.ServerSecurity;
import io.grpc.ServerBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A running model service: the gRPC server starts first (health NOT_SERVING, calls UNAVAILABLE),
 * then the model loads, then health turns SERVING. Closing drains calls, then frees the model.
 */
public final class ModelServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelServer.class.getName());
  private final GrpcServer server;
  private final HostRef ref;
  private final Metrics metrics;

  private ModelServer(GrpcServer server, HostRef ref, Metrics metrics) {
    this.metrics = metrics;
    this.server = server;
    this.ref = ref;
  }

  /** A service in {@code role} over its models, built as the returned builder says. */
  public static Builder of(ServiceRole role) {
    return new Builder(role);
  }

  /** What a model service hosts and how it admits callers; {@link #listen} or {@link #start} starts it. */
  public static final class Builder {
    private final ServiceRole role;
    private Map<String, Path> models;
    private HostLimits limits = HostLimits.DEFAULT;
    private ServerSecurity security = ServerSecurity.NONE;
    private Integer metricsPort;
    private dev.fsgen.grpc.Connections connections = dev.fsgen.grpc.Connections.DEFAULT;

    private Builder(ServiceRole role) {
      this.role = role;
    }

    /** Hosts one model, the default. */
    public Builder model(Path model) {
      return models(Map.of(HostRef.DEFAULT, model));
    }

    /**
     * @param models the models to host by name; {@link HostRef#DEFAULT} names the one that answers
     *     requests naming no model. All must share one tokenizer.
     */
    public Builder models(Map<String, Path> models) {
      this.models = models;
      return this;
    }

    public Builder limits(HostLimits limits) {
      this.limits = limits;
      return this;
    }

    /** TLS and the client certificates it requires (mutual TLS: only the orchestrator calls a model service) */
    public Builder security(ServerSecurity security) {
      this.security = security;
      return this;
    }

    /** Where to serve Prometheus metrics (0: any free port), or null for no endpoint. */
    public Builder metricsPort(Integer metricsPort) {
      this.metricsPort = metricsPort;
      return this;
    }

    /** Keepalive, connection age and drain ({@link dev.fsgen.grpc.Connections#DEFAULT} unless set); only the drain applies in-process. */
    public Builder connections(dev.fsgen.grpc.Connections connections) {
      this.connections = connections;
      return this;
    }

    /** Listens on {@code host:port} (port 0 picks a free one). */
    public ModelServer listen(String host, int port) {
      return ModelServer.start(this, NettyServers.server(host, port, security, connections));
    }

    /** Serves on {@code transport} (in-process, say): bearer tokens apply there; TLS and probes need {@link #listen}. */
    public ModelServer start(ServerBuilder<?> transport) {
      return ModelServer.start(this, GrpcServer.on(transport).name(role.id).tokens(security).drain(connections.drain()));
    }

    /** Starts as the service's flags and environment say; unset port and model take the role's defaults under {@code root}. */
    public ModelServer start(ModelServerOptions o, Path root) {
      o.applyThreads();
      return models(o.models(role.defaultModel(root))).limits(o.limits()).security(o.security()).metricsPort(o.metricsPort)
          .connections(o.connections()).listen(o.host, o.port != null ? o.port : role.defaultPort);
    }
  }

  private static ModelServer start(Builder b, GrpcServer.Builder transport) {
    String name = b.role.id;
    Map<String, Path> models = b.models;
    HostLimits limits = b.limits;
    if (models == null || !models.containsKey(HostRef.DEFAULT)) throw new IllegalArgumentException(name + " needs a default model");
    HostRef ref = new HostRef();
    Metrics metrics = new Metrics();
    HostMetrics.register(metrics.registry(), ref);
    GrpcServer server = transport.name(name).service(new ModelService(b.role, ref)).maxMessageBytes(limits.maxMessageBytes()).direct()
        .metrics(metrics).start();
    Map<String, ModelHost> hosts = new LinkedHashMap<>();
    try {
      long t0 = System.nanoTime();
      hosts.put(HostRef.DEFAULT, ModelHost.load(models.get(HostRef.DEFAULT), limits, HostRef.DEFAULT, b.role.wire));
      for (Map.Entry<String, Path> m : models.entrySet()) {
        if (m.getKey().equals(HostRef.DEFAULT)) continue;
        ModelHost h = ModelHost.load(m.getValue(), limits, m.getKey(), b.role.wire);
        hosts.put(m.getKey(), h);
        String want = hosts.get(HostRef.DEFAULT).info().getTokenizerFingerprint();
        if (!h.info().getTokenizerFingerprint().equals(want)) {
          throw new IllegalArgumentException("model '" + m.getKey() + "' (" + m.getValue() + ") has another tokenizer than the default model ("
              + models.get(HostRef.DEFAULT) + "): one service hosts models of one tokenizer");
        }
      }
      ref.set(hosts);
      if (b.metricsPort != null) metrics.serve(b.metricsPort);
      server.serving();
      LOG.info(() -> String.format("%s: %s loaded in %.1f s (%s), serving on port %d", name, models, (System.nanoTime() - t0) / 1e9,
          hosts.get(HostRef.DEFAULT).placement(), server.port()));
    } catch (RuntimeException e) {
      server.close();
      metrics.close();
      hosts.values().forEach(ModelHost::close);
      throw e;
    }
    return new ModelServer(server, ref, metrics);
  }

  /** Serves in the foreground until the process is stopped; SIGTERM drains it gracefully. */
  public void serveUntilStopped(String name) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, name + "-shutdown"));
    System.err.println(name + ": serving on port " + port());
    awaitTermination();
  }

  public int port() {
    return server.port();
  }

  /** The plaintext health-only port for probes, or -1 when there is none. */
  public int probePort() {
    return server.probePort();
  }

  /** The Prometheus endpoint's port, or -1 when there is none. */
  public int metricsPort() {
    return metrics.port();
  }

  /** The default model. */
  public ModelHost host() {
    return ref.get("");
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.close();
    metrics.close();
    ref.clear("shut down").values().forEach(ModelHost::close);
  }
}
