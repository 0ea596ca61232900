package dev.fsgen.service;

import dev.fsgen.grpc.GrpcServer;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.util.List;
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

  private ModelServer(GrpcServer server, HostRef ref) {
    this.server = server;
    this.ref = ref;
  }

  /**
   * @param service the service over the model, e.g. System 1's or System 2's
   */
  public static ModelServer start(String name, String host, int port, Path model, HostLimits limits,
      Function<HostRef, BindableService> service) {
    HostRef ref = new HostRef();
    BindableService s = service.apply(ref);
    GrpcServer server = GrpcServer.start(name, host, port, limits.maxMessageBytes(), List.of(s),
        List.of(s.bindService().getServiceDescriptor().getName()), true);
    try {
      long t0 = System.nanoTime();
      ref.set(ModelHost.load(model, limits));
      server.serving();
      LOG.info(() -> String.format("%s: %s loaded in %.1f s, serving on port %d", name, model, (System.nanoTime() - t0) / 1e9,
          server.port()));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new ModelServer(server, ref);
  }

  public int port() {
    return server.port();
  }

  public ModelHost host() {
    return ref.get();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.close();
    ModelHost h = ref.clear("shut down");
    if (h != null) h.close();
  }
}
