package dev.fsgen.orchestrator;

import com.google.protobuf.util.Durations;
import dev.fsgen.decoding.Producer;
import dev.fsgen.proto.decoding.v1.Summary;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The orchestrator's metrics. Rates come from counters, as Prometheus wants them: tokens/s is
 * rate(fsgen_generated_tokens_total); System 2's token share is the rate of its producers over all;
 * the acceptance rate is accepted over drafted; the collaboration frequency is differing over scored.
 */
final class OrchestratorMetrics {
  private final Counter generations;
  private final Counter tokens;
  private final Counter drafted;
  private final Counter accepted;
  private final Counter scored;
  private final Counter differing;
  private final Counter degraded;
  private final Histogram firstToken;

  OrchestratorMetrics(PrometheusRegistry r, IntSupplier inFlight, Map<String, Supplier<List<String>>> replicas) {
    generations = Counter.builder().name("fsgen_generations_total").help("Generations ended, by strategy and status code")
        .labelNames("strategy", "code").register(r);
    tokens = Counter.builder().name("fsgen_generated_tokens_total").help("Tokens generated, by who produced them")
        .labelNames("producer").register(r);
    drafted = Counter.builder().name("fsgen_drafted_tokens_total").help("Draft tokens System 1 proposed (speculative decoding)").register(r);
    accepted = Counter.builder().name("fsgen_accepted_tokens_total").help("Draft tokens System 2 accepted").register(r);
    scored = Counter.builder().name("fsgen_scored_tokens_total")
        .help("Tokens whose System 1 greedy choice on the same prefix is known (the collaboration frequency's denominator)").register(r);
    differing = Counter.builder().name("fsgen_differing_tokens_total")
        .help("Scored tokens whose final choice differs from System 1's (the collaboration frequency's numerator)").register(r);
    degraded = Counter.builder().name("fsgen_degraded_generations_total").help("Generations finished by one service after the other went down")
        .labelNames("down").register(r);
    firstToken = Histogram.builder().name("fsgen_time_to_first_token_seconds").help("From admission to the first token").register(r);
    GaugeWithCallback.builder().name("fsgen_generations_in_flight").help("Generations running now")
        .callback(cb -> cb.call(inFlight.getAsInt())).register(r);
    GaugeWithCallback.builder().name("fsgen_replicas")
        .help("Model service replicas, by role and state (up, not serving, incompatible, circuit open)")
        .labelNames("role", "state").callback(cb -> replicas.forEach((role, states) -> {
          Map<String, Integer> count = new TreeMap<>(Map.of("up", 0, "not serving", 0, "incompatible", 0, "circuit open", 0));
          for (String s : states.get()) {
            String state = s.substring(s.lastIndexOf('(') + 1, s.length() - 1);
            count.merge(state, 1, Integer::sum);
          }
          count.forEach((state, n) -> cb.call(n, role, state));
        })).register(r);
  }

  void finished(String strategy, Summary s, List<Producer> producers) {
    generations.labelValues(strategy, "OK").inc();
    for (Producer p : producers) tokens.labelValues(p.name().toLowerCase(Locale.ROOT)).inc();
    drafted.inc(s.getDrafted());
    accepted.inc(s.getAccepted());
    if (s.hasCollaborationFrequency()) {
      scored.inc(s.getTokens());
      differing.inc(Math.round(s.getCollaborationFrequency() * s.getTokens()));
    }
    if (!s.getDegraded().isEmpty()) degraded.labelValues(s.getDegraded().startsWith("System 1") ? "system1" : "system2").inc();
    if (s.getTokens() > 0) firstToken.observe(Durations.toNanos(s.getTimeToFirstToken()) / 1e9);
  }

  void failed(String strategy, io.grpc.Status.Code code) {
    generations.labelValues(strategy, code.name()).inc();
  }
}
