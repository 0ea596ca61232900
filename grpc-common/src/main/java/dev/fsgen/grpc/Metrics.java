package dev.fsgen.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One service's Prometheus metrics: its own registry (several services can share a process in
 * tests and in the demo), every gRPC call counted by method and status with its handling time, the
 * JVM's own metrics (memory pools, GC, threads, class loading: what a heap that grows or a GC that
 * stalls a decode step shows as), and an HTTP endpoint serving {@code /metrics} when a port is given.
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter calls;
  private final Histogram seconds;
  private HTTPServer http;

  public Metrics() {
    calls = Counter.builder().name("fsgen_grpc_server_calls_total")
        .help("gRPC calls answered, by service, method and status code (errors by status)")
        .labelNames("service", "method", "code").register(registry);
    seconds = Histogram.builder().name("fsgen_grpc_server_call_seconds")
        .help("Time from the start of a gRPC call to its answer (a Generate stream: to its end)")
        .labelNames("service", "method").register(registry);
    // each registry gets its own collectors: they read the process's MXBeans when scraped
    JvmMetrics.builder().register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Counts every call when it closes. */
  ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            calls.labelValues(service, method, status.getCode().name()).inc();
            seconds.labelValues(service, method).observe((System.nanoTime() - start) / 1e9);
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  /** Serves {@code /metrics} on {@code port} (0: any free port). */
  public Metrics serve(int port) {
    try {
      http = HTTPServer.builder().port(port).registry(registry).buildAndStart();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** The endpoint's port, or -1 when there is none. */
  public int port() {
    return http == null ? -1 : http.getPort();
  }

  @Override
  public void close() {
    if (http != null) http.close();
  }
}
