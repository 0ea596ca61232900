package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GetInfoRequest;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.ProxyTuningOptions;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running orchestrator follows its model services as they die and come back, as real processes
 * on real sockets: it reads a restarted replica's model again (its hosted models, its tokenizer),
 * leaves out one whose tokenizer changed, and its own health says whether it can serve.
 */
class ReplicaLifecycleTest {
  private static final String SYSTEM1 = "dev.fsgen.system1.System1Main";
  private static final String SYSTEM2 = "dev.fsgen.system2.System2Main";
  /** Health checked every 250 ms, so that a test sees changes quickly. */
  private static final ReplicaOptions FAST = new ReplicaOptions(Duration.ofSeconds(20), 3, Duration.ofMillis(50), 50, 10,
      Duration.ofSeconds(5), 256, Duration.ofMillis(250), 0.25, Duration.ofMinutes(10));

  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logged.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** Held, so that the logger (and the handler added to it) is not collected while a test runs. */
  private static final Logger ORCHESTRATOR_LOG = Logger.getLogger("dev.fsgen.orchestrator");

  @BeforeEach
  void captureLogs() {
    ORCHESTRATOR_LOG.addHandler(capture);
  }

  @AfterEach
  void releaseLogs() {
    ORCHESTRATOR_LOG.removeHandler(capture);
  }

  private boolean loggedLine(String... phrases) {
    return logged.stream().map(LogRecord::getMessage).anyMatch(m -> {
      for (String p : phrases) if (!m.contains(p)) return false;
      return true;
    });
  }

  private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      Thread.sleep(100);
    }
  }

  private static OrchestratorServer orchestrator(String system1, String system2, ReplicaOptions options) {
    return OrchestratorServer.pairing(system1, system2).waitFor(Duration.ofSeconds(60)).replicas(options).metricsPort(0)
        .listen("127.0.0.1", 0);
  }

  private static int generate(ManagedChannel c, GenerateRequest r) {
    int tokens = 0;
    for (var it = OrchestratorServiceGrpc.newBlockingStub(c).withDeadlineAfter(60, TimeUnit.SECONDS).generate(r); it.hasNext(); ) {
      var e = it.next();
      if (e.hasTokens()) tokens += e.getTokens().getTokensCount();
    }
    return tokens;
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** A copy of System 1 whose tokenizer has two vocabulary ids swapped: it loads, but its ids mean other text. */
  private static Path swappedTokenizer(Path dir) throws Exception {
    Path model = Files.createDirectories(dir.resolve("system1-swapped"));
    Path original = LiveServices.ROOT.resolve("models/system1");
    for (String f : new String[] {"config.json", "model.safetensors", "generation_config.json"}) Files.copy(original.resolve(f), model.resolve(f));
    com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(Files.readString(original.resolve("tokenizer.json"))).getAsJsonObject();
    com.google.gson.JsonObject vocab = json.getAsJsonObject("model").getAsJsonObject("vocab");
    String a = null;
    String b = null;
    for (var e : vocab.entrySet()) {
      if (e.getValue().getAsInt() == 300) a = e.getKey();
      if (e.getValue().getAsInt() == 301) b = e.getKey();
    }
    vocab.addProperty(a, 301);
    vocab.addProperty(b, 300);
    Files.writeString(model.resolve("tokenizer.json"), json.toString());
    return model;
  }

  /**
   * System 1 restarted with another model hosted is read again: GetInfo lists it and proxy tuning
   * can use it. Restarted on a model whose tokenizer swaps two ids, it is marked incompatible
   * (in the metrics and the log) and gets no call, although the running orchestrator paired it before.
   */
  @Test
  void aRestartedSystem1IsReadAgainAndLeftOutWhenItsTokenizerChanged(@TempDir Path tmp) throws Exception {
    Path small = LiveServices.ROOT.resolve("models/system1");
    ServiceProcess s1 = ServiceProcess.start(SYSTEM1, small, "system1");
    int port = s1.port;
    try (ModelServer s2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
         OrchestratorServer o = orchestrator(s1.address(), "127.0.0.1:" + s2.port(), FAST)) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", o.port()).usePlaintext().build();
      try {
        var orchestrator = OrchestratorServiceGrpc.newBlockingStub(c);
        assertEquals(List.of("default"), orchestrator.getInfo(GetInfoRequest.getDefaultInstance()).getSystem1().getHostedModelsList());
        GenerateRequest proxy = GenerateRequest.newBuilder().setText("In the beginning").setMaxTokens(4).setIgnoreEos(true)
            .setStrategy(StrategyOptions.newBuilder().setProxyTuning(ProxyTuningOptions.newBuilder().setTunedModel("tuned"))).build();
        StatusRuntimeException before = assertThrows(StatusRuntimeException.class, () -> generate(c, proxy));
        assertTrue(before.getStatus().getDescription().contains("not hosted"), before.getStatus().toString());

        // (a) the same port, now hosting "tuned" as well
        s1.kill();
        s1.close();
        s1 = ServiceProcess.start(SYSTEM1, small, "system1", port, List.of("--extra-model", "tuned=" + small.toAbsolutePath()));
        await(() -> orchestrator.getInfo(GetInfoRequest.getDefaultInstance()).getSystem1().getHostedModelsList().contains("tuned"), 30,
            "GetInfo to list the model the restarted System 1 hosts");
        assertEquals(4, generate(c, proxy), "proxy tuning with the newly hosted model");

        // (b) the same port, a model whose tokenizer differs
        s1.kill();
        s1.close();
        s1 = ServiceProcess.start(SYSTEM1, swappedTokenizer(tmp), "system1", port, List.of());
        GenerateRequest alone = GenerateRequest.newBuilder().setText("In the beginning").setMaxTokens(4).setIgnoreEos(true)
            .setStrategy(StrategyOptions.newBuilder().setSystem1Only(SingleModelOptions.getDefaultInstance())).build();
        await(() -> {
          try {
            generate(c, alone);
            return false;
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNAVAILABLE && e.getStatus().getDescription().contains("(incompatible)");
          }
        }, 30, "System 1 to be left out as incompatible");
        // a default (speculative) generation goes on without it: System 1 gets no call
        assertEquals(4, generate(c, GenerateRequest.newBuilder().setText("In the beginning").setMaxTokens(4).setIgnoreEos(true).build()));
        ManagedChannel direct = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
          assertEquals(0, ModelServiceGrpc.newBlockingStub(direct).getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats().getRequests(),
              "the incompatible System 1 computed nothing");
        } finally {
          direct.shutdownNow();
        }
        String metrics = scrape(o.metricsPort());
        assertTrue(java.util.regex.Pattern.compile("fsgen_replicas\\{role=\"system1\",state=\"incompatible\"\\} 1(\\.0)?\n").matcher(metrics).find(),
            "visible in the metrics: " + metrics);
        assertTrue(loggedLine("System 1 replica 127.0.0.1:" + port, "incompatible"), "and in the log");
        assertEquals(List.of("127.0.0.1:" + port + " (incompatible)"), o.system1Replicas());
      } finally {
        c.shutdownNow();
      }
    } finally {
      s1.close();
    }
  }

  private static HealthCheckResponse.ServingStatus health(ManagedChannel c, String service) {
    return HealthGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  /**
   * With its only System 2 replica gone the orchestrator reports NOT_SERVING (its liveness name
   * stays SERVING), its errors never call the dead replica "up", and the changes are logged; once
   * the replica is back, SERVING again and generating.
   */
  @Test
  void healthFollowsSystem2AndNeverCallsADeadReplicaUp() throws Exception {
    ServiceProcess s2 = ServiceProcess.start(SYSTEM2, LiveServices.ROOT.resolve("models/system2"), "system2");
    int port = s2.port;
    // health checked only every 3 s: the generation right after the kill comes before the next check
    ReplicaOptions slow = new ReplicaOptions(Duration.ofSeconds(20), 3, Duration.ofMillis(50), 50, 10, Duration.ofSeconds(5), 256,
        Duration.ofSeconds(3), 0.25, Duration.ofMinutes(10));
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
         OrchestratorServer o = orchestrator("127.0.0.1:" + s1.port(), s2.address(), slow)) {
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", o.port()).usePlaintext().build();
      try {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(c, ""));
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(c, "fsgen.decoding.v1.OrchestratorService"));
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(c, "fsgen.orchestrator.full"));
        GenerateRequest r = GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(4).setIgnoreEos(true).build();
        assertEquals(4, generate(c, r));

        s2.kill();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> generate(c, r));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("127.0.0.1:" + port), e.getStatus().toString());
        assertFalse(e.getStatus().getDescription().contains("(up)"), "a dead replica is not up: " + e.getStatus());

        await(() -> health(c, "") == HealthCheckResponse.ServingStatus.NOT_SERVING, 20, "NOT_SERVING with no System 2 replica");
        assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, health(c, "fsgen.decoding.v1.OrchestratorService"));
        assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, health(c, "fsgen.orchestrator.full"));
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health(c, "fsgen.orchestrator.live"), "alive, though it cannot serve");
        // the replica's line is written by whichever thread saw the change (a failed call or System 2's
        // health round) and may follow the orchestrator's health, which System 1's round can update first
        await(() -> loggedLine("System 2 replica 127.0.0.1:" + port + " is now not serving (was up)"), 5, "the change is logged");
        assertTrue(loggedLine("orchestrator: NOT_SERVING", "no System 2 replica is ready"), "and the orchestrator's");

        s2.close();
        s2 = ServiceProcess.start(SYSTEM2, LiveServices.ROOT.resolve("models/system2"), "system2", port);
        await(() -> health(c, "") == HealthCheckResponse.ServingStatus.SERVING, 30, "SERVING once System 2 is back");
        await(() -> loggedLine("System 2 replica 127.0.0.1:" + port + " is now up (was not serving)"), 5, "the return is logged");
        assertEquals(4, generate(c, r));
      } finally {
        c.shutdownNow();
      }
    } finally {
      s2.close();
    }
  }
}
