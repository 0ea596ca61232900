package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three System 2 replicas in processes of their own; one is killed with {@code kill -9} while 32
 * generations stream through the orchestrator. Every generation completes, token for token as in
 * an undisturbed run (greedy speculative decoding gives System 2's greedy output on any replica).
 */
class FailoverTest {
  private static final int STREAMS = 32;
  private static final int TOKENS = 48;
  private static final List<String> PROMPTS = List.of("The history of the city", "She looked at the", "The committee said that",
      "It was a cold morning and", "After the war, the", "The results of the study show", "There is no doubt that",
      "The church was built in");

  static ModelServer system1;
  static List<ServiceProcess> replicas = new ArrayList<>();
  static OrchestratorServer orchestrator;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    system1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
    ExecutorService starter = Executors.newFixedThreadPool(3);
    List<Future<ServiceProcess>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      starting.add(starter.submit(() -> ServiceProcess.start("dev.fsgen.system2.System2Main", LiveServices.ROOT.resolve("models/system2"), "system2-" + n)));
    }
    for (Future<ServiceProcess> f : starting) replicas.add(f.get(180, TimeUnit.SECONDS));
    starter.shutdown();
    ReplicaOptions fast = new ReplicaOptions(Duration.ofSeconds(20), 4, Duration.ofMillis(50), 50, 10, Duration.ofSeconds(5), 256,
        Duration.ofMillis(250), 0.25, Duration.ofMinutes(10));
    orchestrator = OrchestratorServer.pairing("127.0.0.1:" + system1.port(),
        replicas.stream().map(ServiceProcess::address).collect(Collectors.joining(","))).waitFor(Duration.ofSeconds(60)).replicas(fast)
        .listen("127.0.0.1", 0);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) channel.shutdownNow();
    if (orchestrator != null) orchestrator.close();
    for (ServiceProcess p : replicas) p.close();
    if (system1 != null) system1.close();
  }

  private static GenerateRequest request(int i) {
    String prompt = PROMPTS.get(i % PROMPTS.size()) + (i >= PROMPTS.size() ? " " + "and ".repeat(i / PROMPTS.size()) : "");
    return GenerateRequest.newBuilder().setText(prompt).setMaxTokens(TOKENS).setIgnoreEos(true)
        .setStrategy(StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setGamma(4))).build();
  }

  /** Runs all streams at once; {@code firstTokens} counts streams that have seen a token; returns each stream's token ids. */
  private static List<List<Integer>> runAll(AtomicInteger firstTokens, AtomicInteger finished) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(STREAMS);
    try {
      List<Future<List<Integer>>> futures = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        GenerateRequest r = request(i);
        futures.add(pool.submit(() -> {
          List<Integer> ids = new ArrayList<>();
          boolean first = true;
          for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES).generate(r); it.hasNext(); ) {
            GenerateResponse e = it.next();
            if (e.hasTokens()) {
              for (Token t : e.getTokens().getTokensList()) ids.add(t.getId());
              if (first) {
                firstTokens.incrementAndGet();
                first = false;
              }
            }
          }
          finished.incrementAndGet();
          return ids;
        }));
      }
      List<List<Integer>> out = new ArrayList<>();
      for (Future<List<Integer>> f : futures) out.add(f.get(5, TimeUnit.MINUTES));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void killingASystem2ReplicaMidStreamLosesNoGeneration() throws Exception {
    runAll(new AtomicInteger(), new AtomicInteger()); // warm-up: the timed runs below compare like with like
    long t0 = System.nanoTime();
    List<List<Integer>> undisturbed = runAll(new AtomicInteger(), new AtomicInteger());
    double calm = (System.nanoTime() - t0) / 1e9;

    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    CountDownLatch killed = new CountDownLatch(1);
    int[] inFlightAtKill = new int[1];
    int[] victim = {-1};
    Thread killer = new Thread(() -> {
      try {
        while (started.get() < STREAMS / 2) Thread.sleep(5);
        // the replica holding the most live sessions right now
        long most = -1;
        for (int i = 0; i < replicas.size(); i++) {
          ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", replicas.get(i).port).usePlaintext().build();
          long sessions = ModelServiceGrpc.newBlockingStub(c).withDeadlineAfter(2, TimeUnit.SECONDS)
              .getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats().getSessions();
          c.shutdownNow();
          if (sessions > most) {
            most = sessions;
            victim[0] = i;
          }
        }
        inFlightAtKill[0] = STREAMS - finished.get();
        replicas.get(victim[0]).kill();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        killed.countDown();
      }
    });
    long t1 = System.nanoTime();
    killer.start();
    List<List<Integer>> disturbed = runAll(started, finished);
    double stormy = (System.nanoTime() - t1) / 1e9;
    killed.await(1, TimeUnit.MINUTES);

    assertTrue(!replicas.get(victim[0]).process.isAlive(), "the replica was killed");
    assertTrue(inFlightAtKill[0] > 0, "generations were in flight when the replica died");
    for (int i = 0; i < STREAMS; i++) {
      assertEquals(TOKENS, disturbed.get(i).size(), "stream " + i + " completed");
      assertEquals(undisturbed.get(i), disturbed.get(i), "stream " + i + " has the same tokens as without the failure");
    }
    System.out.printf("failover: %d streams x %d tokens; undisturbed %.2f s, with replica %d killed (%d streams in flight) %.2f s: +%.2f s%n",
        STREAMS, TOKENS, calm, victim[0], inFlightAtKill[0], stormy, stormy - calm);
    // the orchestrator has taken the dead replica out
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!orchestrator.system2Replicas().get(victim[0]).contains("not serving") && System.nanoTime() < deadline) Thread.sleep(50);
    assertTrue(orchestrator.system2Replicas().get(victim[0]).contains("not serving"), orchestrator.system2Replicas().toString());
  }
}
