package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every service's Prometheus endpoint, scraped after real traffic: the counts match what was done. */
class MetricsTest {
  static ModelServer system1;
  static ModelServer system2;
  static OrchestratorServer orchestrator;
  static ManagedChannel channel;

  @BeforeAll
  static void start() {
    system1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).metricsPort(0)
        .listen("127.0.0.1", 0);
    system2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).metricsPort(0)
        .listen("127.0.0.1", 0);
    orchestrator = OrchestratorServer.pairing("127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port()).waitFor(Duration.ofSeconds(30))
        .metricsPort(0).listen("127.0.0.1", 0);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    orchestrator.close();
    system1.close();
    system2.close();
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The value of the sample of {@code name} whose labels include every {@code label="value"} given. */
  private static double value(String text, String name, String... labels) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      boolean all = true;
      for (String l : labels) all &= line.contains(l);
      if (all) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    throw new AssertionError("no sample " + name + " " + String.join(",", labels) + " in:\n" + text);
  }

  @Test
  void theCountersFollowTheTraffic() throws Exception {
    int tokens = 0;
    int accepted = 0;
    int drafted = 0;
    for (int i = 0; i < 2; i++) {
      GenerateRequest r = GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(24).setIgnoreEos(true).build();
      Summary s = null;
      for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(channel).generate(r); it.hasNext(); ) {
        GenerateResponse e = it.next();
        if (e.hasSummary()) s = e.getSummary();
      }
      tokens += s.getTokens();
      accepted += s.getAccepted();
      drafted += s.getDrafted();
    }
    assertThrows(StatusRuntimeException.class, () -> OrchestratorServiceGrpc.newBlockingStub(channel)
        .generate(GenerateRequest.newBuilder().setText("").build()).hasNext());

    String o = scrape(orchestrator.metricsPort());
    assertEquals(2, value(o, "fsgen_generations_total", "strategy=\"default\"", "code=\"OK\""));
    assertEquals(1, value(o, "fsgen_generations_total", "code=\"INVALID_ARGUMENT\""));
    assertEquals(1, value(o, "fsgen_grpc_server_calls_total", "method=\"Generate\"", "code=\"INVALID_ARGUMENT\""));
    double produced = 0;
    for (String p : new String[] {"system1_accepted", "system2_correction", "system2_bonus"}) {
      try {
        produced += value(o, "fsgen_generated_tokens_total", "producer=\"" + p + "\"");
      } catch (AssertionError none) {
        // a producer that made no token has no sample
      }
    }
    assertEquals(tokens, produced);
    assertEquals(accepted, value(o, "fsgen_accepted_tokens_total"));
    assertEquals(drafted, value(o, "fsgen_drafted_tokens_total"));
    assertEquals(0, value(o, "fsgen_generations_in_flight"));
    assertEquals(1, value(o, "fsgen_replicas", "role=\"system2\"", "state=\"up\""));
    assertEquals(0, value(o, "fsgen_replicas", "role=\"system2\"", "state=\"circuit open\""));
    // the wire counters are the tracer's own sums (health checks may add to them while scraping),
    // and both services' calls went both ways
    long[] before = orchestrator.modelCallBytes();
    String again = scrape(orchestrator.metricsPort());
    long[] after = orchestrator.modelCallBytes();
    double sent1 = value(again, "fsgen_model_call_bytes_total", "service=\"system1\"", "direction=\"sent\"");
    double received2 = value(again, "fsgen_model_call_bytes_total", "service=\"system2\"", "direction=\"received\"");
    assertTrue(before[0] <= sent1 && sent1 <= after[0], sent1 + " outside " + before[0] + ".." + after[0]);
    assertTrue(before[3] <= received2 && received2 <= after[3], received2 + " outside " + before[3] + ".." + after[3]);
    for (long b : before) assertTrue(b > 0, java.util.Arrays.toString(before));

    String m2 = scrape(system2.metricsPort());
    assertTrue(value(m2, "fsgen_grpc_server_calls_total", "method=\"BatchVerify\"", "code=\"OK\"") > 0);
    assertTrue(value(m2, "fsgen_model_requests_total", "model=\"default\"") > 0);
    assertTrue(value(m2, "fsgen_model_cache_hits_total", "model=\"default\"") > 0, "verify calls reuse the session's cache");
    assertTrue(value(m2, "fsgen_model_busy_seconds_total", "model=\"default\"") > 0);
    assertEquals(0, value(m2, "fsgen_model_queue_depth", "model=\"default\""));
    assertEquals(0, value(m2, "fsgen_model_sessions", "model=\"default\""), "the generations ended their sessions");
    String m1 = scrape(system1.metricsPort());
    assertTrue(value(m1, "fsgen_grpc_server_calls_total", "method=\"Draft\"", "code=\"OK\"") > 0);
  }

  /** Every endpoint also serves the JVM's metrics: a live process has heap in use and threads running. */
  @Test
  void everyServiceExportsTheJvmsMetrics() throws Exception {
    for (int port : new int[] {orchestrator.metricsPort(), system1.metricsPort(), system2.metricsPort()}) {
      String m = scrape(port);
      assertTrue(value(m, "jvm_memory_used_bytes", "area=\"heap\"") > 0, "port " + port);
      assertTrue(value(m, "jvm_threads_current") > 0, "port " + port);
      assertTrue(value(m, "jvm_gc_collection_seconds_count") >= 0, "port " + port);
    }
  }
}
