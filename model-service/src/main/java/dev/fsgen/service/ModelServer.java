package dev.fsgen.service;

import dev.fsgen.grpc.GrpcServer;
import dev.fsgen.grpc.Metrics;
import dev.fsgen.grpc.ServerSecurity;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  /**
   * @param service the service over the model, e.g. System 1's or System 2's
   */
  public static ModelServer start(String name, String host, int port, Path model, HostLimits limits,
      Function<HostRef, BindableService> service) {
    return start(name, host, port, Map.of(HostRef.DEFAULT, model), limits, service);
  }

  /**
   * @param models the models to host by name; {@link HostRef#DEFAULT} names the one that answers
   *     requests naming no model. All must share one tokenizer.
   */
  public static ModelServer start(String name, String host, int port, Map<String, Path> models, HostLimits limits,
      Function<HostRef, BindableService> service) {
    return start(name, host, port, models, limits, service, ServerSecurity.NONE);
  }

  /** @param security TLS and the client certificates it requires (mutual TLS: only the orchestrator calls a model service) */
  public static ModelServer start(String name, String host, int port, Map<String, Path> models, HostLimits limits,
      Function<HostRef, BindableService> service, ServerSecurity security) {
    return start(name, host, port, models, limits, service, security, null);
  }

  /** @param metricsPort where to serve Prometheus metrics (0: any free port), or null for no endpoint */
  public static ModelServer start(String name, String host, int port, Map<String, Path> models, HostLimits limits,
      Function<HostRef, BindableService> service, ServerSecurity security, Integer metricsPort) {
    if (!models.containsKey(HostRef.DEFAULT)) throw new IllegalArgumentException(name + " needs a default model");
    HostRef ref = new HostRef();
    BindableService s = service.apply(ref);
    Metrics metrics = new Metrics();
    HostMetrics.register(metrics.registry(), ref);
    GrpcServer server = GrpcServer.start(name, host, port, limits.maxMessageBytes(), List.of(s),
        List.of(s.bindService().getServiceDescriptor().getName()), true, security, metrics);
    Map<String, ModelHost> hosts = new LinkedHashMap<>();
    try {
      long t0 = System.nanoTime();
      hosts.put(HostRef.DEFAULT, ModelHost.load(models.get(HostRef.DEFAULT), limits, HostRef.DEFAULT));
      for (Map.Entry<String, Path> m : models.entrySet()) {
        if (m.getKey().equals(HostRef.DEFAULT)) continue;
        ModelHost h = ModelHost.load(m.getValue(), limits, m.getKey());
        hosts.put(m.getKey(), h);
        String want = hosts.get(HostRef.DEFAULT).info().getTokenizerFingerprint();
        if (!h.info().getTokenizerFingerprint().equals(want)) {
          throw new IllegalArgumentException("model '" + m.getKey() + "' (" + m.getValue() + ") has another tokenizer than the default model ("
              + models.get(HostRef.DEFAULT) + "): one service hosts models of one tokenizer");
        }
      }
      ref.set(hosts);
      if (metricsPort != null) metrics.serve(metricsPort);
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

  /** Starts a service as its flags and environment say; unset port and model take the service's defaults. */
  public static ModelServer start(String name, ModelServerOptions o, int defaultPort, Path defaultModel,
      Function<HostRef, BindableService> service) {
    o.applyThreads();
    return start(name, o.host, o.port != null ? o.port : defaultPort, o.models(defaultModel), o.limits(), service, o.security(),
        o.metricsPort);
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
