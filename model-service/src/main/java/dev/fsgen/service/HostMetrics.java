package dev.fsgen.service;

import dev.fsgen.proto.model.v1.CacheStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A model service's own metrics, per hosted model, read from its hosts at every scrape. */
final class HostMetrics {
  private HostMetrics() {}

  static void register(PrometheusRegistry registry, HostRef ref) {
    gauge(registry, ref, "fsgen_model_sessions", "Session KV caches held", CacheStats::getSessions);
    gauge(registry, ref, "fsgen_model_cache_bytes", "Bytes of KV cache held over all sessions", CacheStats::getCacheBytes);
    GaugeWithCallback.builder().name("fsgen_model_queue_depth")
        .help("Requests admitted and not yet answered (computing or waiting for the model)").labelNames("model")
        .callback(cb -> ref.hosted().forEach((name, h) -> cb.call(h.queued(), name))).register(registry);
    counter(registry, ref, "fsgen_model_cache_hits_total", "Calls that found their session's cache", CacheStats::getHits);
    counter(registry, ref, "fsgen_model_cache_misses_total", "Calls that had to build a cache", CacheStats::getMisses);
    counter(registry, ref, "fsgen_model_cache_evictions_total", "Caches evicted to stay within the limits", CacheStats::getEvicted);
    counter(registry, ref, "fsgen_model_cache_expired_total", "Caches freed after sitting idle", CacheStats::getExpired);
    counter(registry, ref, "fsgen_model_sessions_ended_total", "Sessions ended by EndSession", CacheStats::getEnded);
    counter(registry, ref, "fsgen_model_requests_total", "Model calls answered", CacheStats::getRequests);
    counter(registry, ref, "fsgen_model_busy_seconds_total", "Seconds the model spent computing", s -> dev.fsgen.grpc.Messages.seconds(s.getBusyTime()));
    counter(registry, ref, "fsgen_model_passes_total", "Forward passes (concurrent NextToken and BatchVerify calls share them)", CacheStats::getPasses);
  }

  private static void gauge(PrometheusRegistry registry, HostRef ref, String name, String help, ToDoubleFunction<CacheStats> value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("model")
        .callback(cb -> each(ref, (model, s) -> cb.call(value.applyAsDouble(s), model))).register(registry);
  }

  private static void counter(PrometheusRegistry registry, HostRef ref, String name, String help, ToDoubleFunction<CacheStats> value) {
    CounterWithCallback.builder().name(name).help(help).labelNames("model")
        .callback(cb -> each(ref, (model, s) -> cb.call(value.applyAsDouble(s), model))).register(registry);
  }

  private static void each(HostRef ref, java.util.function.BiConsumer<String, CacheStats> f) {
    for (Map.Entry<String, ModelHost> e : ref.hosted().entrySet()) f.accept(e.getKey(), e.getValue().stats());
  }
}
