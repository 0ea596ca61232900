package dev.fsgen.orchestrator;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * Message bytes on the wire between the orchestrator and one model service, both ways, counted by
 * gRPC's stream tracer (serialized messages as sent, before HTTP/2 framing and headers). They are
 * what the orchestrator's prefix protocol and payload choices cost per generated token.
 */
final class WireBytes implements ClientInterceptor {
  private final LongAdder sent = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final io.prometheus.metrics.core.datapoints.CounterDataPoint sentMetric;
  private final io.prometheus.metrics.core.datapoints.CounterDataPoint receivedMetric;

  /** @param service the label of the model service's counters, e.g. system2 */
  WireBytes(String service, Counter counter) {
    this.sentMetric = counter.labelValues(service, "sent");
    this.receivedMetric = counter.labelValues(service, "received");
  }

  /** The counter both services' interceptors share, registered once. */
  static Counter counter(PrometheusRegistry registry) {
    return Counter.builder().name("fsgen_model_call_bytes_total")
        .help("Serialized message bytes sent to and received from the model services")
        .labelNames("service", "direction").register(registry);
  }

  long sent() {
    return sent.sum();
  }

  long received() {
    return received.sum();
  }

  private final ClientStreamTracer.Factory tracers = new ClientStreamTracer.Factory() {
    @Override
    public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
      return new ClientStreamTracer() {
        @Override
        public void outboundWireSize(long bytes) {
          sent.add(bytes);
          sentMetric.inc(bytes);
        }

        @Override
        public void inboundWireSize(long bytes) {
          received.add(bytes);
          receivedMetric.inc(bytes);
        }
      };
    }
  };

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return next.newCall(method, options.withStreamTracerFactory(tracers));
  }
}
