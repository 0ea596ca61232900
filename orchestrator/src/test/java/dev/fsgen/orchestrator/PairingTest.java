package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.IncompatibleModelsException;
import dev.fsgen.decoding.ModelUnavailableException;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import dev.fsgen.tokenizer.TokenizerFixture;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestrator pairs only models that share a tokenizer, and waits only so long for them; health and reflection. */
class PairingTest {
  @Test
  void modelsWithDifferentTokenizersAreRefusedWithAClearError(@TempDir Path tmp) throws Exception {
    // System 1 with its weights but another tokenizer (smaller than the embedding, so it loads)
    Path other = Files.createDirectories(tmp.resolve("system1-other"));
    for (String f : new String[] {"config.json", "model.safetensors", "generation_config.json"}) {
      Files.copy(LiveServices.ROOT.resolve("models/system1").resolve(f), other.resolve(f));
    }
    Files.copy(TokenizerFixture.write(tmp.resolve("tok"), 512), other.resolve("tokenizer.json"));
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(other).listen("127.0.0.1", 0);
         ModelServer s2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0)) {
      IncompatibleModelsException e = assertThrows(IncompatibleModelsException.class, () -> OrchestratorServer.pairing("127.0.0.1:" + s1.port(), "127.0.0.1:" + s2.port()).waitFor(Duration.ofSeconds(10))
        .listen("127.0.0.1", 0));
      assertTrue(e.getMessage().contains("different tokenizers"), e.getMessage());
      assertTrue(e.getMessage().contains(other.toString()), "names the offending model: " + e.getMessage());

      // both services report SERVING through the standard health service and list themselves by reflection
      String[] names = {"fsgen.model.v1.ModelService", "fsgen.model.v1.ModelService"};
      int[] ports = {s1.port(), s2.port()};
      for (int i = 0; i < 2; i++) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", ports[i]).usePlaintext().build();
        try {
          HealthCheckResponse h = HealthGrpc.newBlockingStub(c).check(HealthCheckRequest.newBuilder().setService(names[i]).build());
          assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
          assertTrue(reflectedServices(c).contains(names[i]), names[i] + " listed by reflection");
        } finally {
          c.shutdownNow();
        }
      }
    }
  }

  @Test
  void swappedAddressesAreRefusedByRole() {
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
         ModelServer s2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0)) {
      IncompatibleModelsException e = assertThrows(IncompatibleModelsException.class,
          () -> OrchestratorServer.pairing("127.0.0.1:" + s2.port(), "127.0.0.1:" + s1.port()).waitFor(Duration.ofSeconds(10))
              .listen("127.0.0.1", 0));
      assertTrue(e.getMessage().contains("the service given as System 1") && e.getMessage().contains("MODEL_ROLE_SYSTEM2")
          && e.getMessage().contains("swapped"), e.getMessage());
    }
  }

  /** What {@code grpcurl list} asks: the service names, through the v1 reflection service. */
  private static List<String> reflectedServices(ManagedChannel c) throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(c).serverReflectionInfo(
        new StreamObserver<ServerReflectionResponse>() {
          public void onNext(ServerReflectionResponse r) {
            names.complete(r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList());
          }

          public void onError(Throwable t) {
            names.completeExceptionally(t);
          }

          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    return names.get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAbsentServiceIsUnavailableAfterTheWait() {
    long t0 = System.nanoTime();
    ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> OrchestratorServer.pairing("127.0.0.1:1", "127.0.0.1:2").waitFor(Duration.ofMillis(600))
        .listen("127.0.0.1", 0));
    assertTrue(e.getMessage().contains("System 1 is not available"), e.getMessage());
    assertTrue((System.nanoTime() - t0) / 1e9 < 10, "gave up after the wait");
  }

  @Test
  void aReplicaServingAnotherTokenizerIsLeftOut(@TempDir Path tmp) throws Exception {
    Path other = Files.createDirectories(tmp.resolve("system2-other"));
    for (String f : new String[] {"config.json", "model.safetensors", "generation_config.json"}) {
      Files.copy(LiveServices.ROOT.resolve("models/system2").resolve(f), other.resolve(f));
    }
    Files.copy(TokenizerFixture.write(tmp.resolve("tok"), 512), other.resolve("tokenizer.json"));
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
         ModelServer good = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
         ModelServer odd = ModelServer.of(ServiceRole.SYSTEM2).model(other).listen("127.0.0.1", 0);
         OrchestratorServer o = OrchestratorServer.pairing("127.0.0.1:" + s1.port(),
             "127.0.0.1:" + good.port() + ",127.0.0.1:" + odd.port()).waitFor(Duration.ofSeconds(10)).listen("127.0.0.1", 0)) {
      assertEquals(List.of("127.0.0.1:" + good.port() + " (up)", "127.0.0.1:" + odd.port() + " (incompatible)"), o.system2Replicas());
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", o.port()).usePlaintext().build();
      try {
        // every session goes to the good replica
        for (int i = 0; i < 6; i++) {
          var it = OrchestratorServiceGrpc.newBlockingStub(c).generate(GenerateRequest.newBuilder().setText("The city " + i).setMaxTokens(3).build());
          while (it.hasNext()) it.next();
        }
      } finally {
        c.shutdownNow();
      }
      assertEquals(0, ModelServiceGrpc.newBlockingStub(NettyChannelBuilder.forAddress("127.0.0.1", odd.port()).usePlaintext().build())
          .getCacheStats(dev.fsgen.proto.model.v1.GetCacheStatsRequest.getDefaultInstance()).getStats().getRequests(), "the odd replica got no call");
    }
  }

  @Test
  void aDnsNameStandsForEveryAddressItResolvesTo() throws Exception {
    // "localhost" resolves to 127.0.0.1 (and on some hosts also ::1, where nothing listens: that replica stays out)
    try (ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
         ModelServer s2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
         OrchestratorServer o = OrchestratorServer.pairing("dns:///localhost:" + s1.port(), "dns:///localhost:" + s2.port()).waitFor(Duration.ofSeconds(10))
        .listen("127.0.0.1", 0)) {
      assertTrue(o.system2Replicas().contains("127.0.0.1:" + s2.port() + " (up)"), o.system2Replicas().toString());
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", o.port()).usePlaintext().build();
      try {
        var it = OrchestratorServiceGrpc.newBlockingStub(c).generate(GenerateRequest.newBuilder().setText("The city").setMaxTokens(3).build());
        int events = 0;
        while (it.hasNext()) {
          it.next();
          events++;
        }
        assertTrue(events >= 3, "a generation through the resolved replicas");
      } finally {
        c.shutdownNow();
      }
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Targets.parse("dns:///nameonly", "--system2"));
    assertTrue(bad.getMessage().contains("dns:///name:port"), bad.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Targets.parse("a:1,b:99999", "--system2")).getMessage().contains("port"));
  }
}
