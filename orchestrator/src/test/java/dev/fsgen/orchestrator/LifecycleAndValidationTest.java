package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.service.HostLimits;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.proto.model.v1.GetCacheStatsRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.proto.model.v1.TokenIds;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cancellation, deadlines and bad input, against real services. */
class LifecycleAndValidationTest {
  static LiveServices live;

  @BeforeAll
  static void start() {
    live = new LiveServices();
  }

  @AfterAll
  static void stop() {
    live.close();
  }

  static GenerateRequest.Builder longRun() {
    return GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(900).setIgnoreEos(true)
        .setStrategy(SpeculativeOverGrpcTest.speculative(2));
  }

  private CacheStats stats1() {
    return live.system1Stub().getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats();
  }

  private CacheStats stats2() {
    return live.system2Stub().getCacheStats(GetCacheStatsRequest.getDefaultInstance()).getStats();
  }

  private void awaitTrue(Supplier<Boolean> condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.get()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what + "; System 1: " + stats1().toString().replace('\n', ' ')
            + "; System 2: " + stats2().toString().replace('\n', ' '));
      }
      Thread.sleep(20);
    }
  }

  /**
   * Every model call schedules its deadline; an answered call must take it off the scheduler, or
   * tens of thousands of cancelled timers (and the contexts they hold) pile up for the whole call
   * timeout under load, which showed as the orchestrator's memory climbing in the soak.
   */
  @Test
  void answeredCallsLeaveNoDeadlineTimersBehind() {
    for (int i = 0; i < 3; i++) live.generate(live.request("The history of the city", 24).build());
    // the two replica sets' periodic maintenance is all that may remain
    assertEquals(2, live.orchestrator.pendingTimers());
  }

  @Test
  void cancellingTheStreamStopsDecodingAndFreesBothCaches() throws Exception {
    long ended1 = stats1().getEnded();
    long ended2 = stats2().getEnded();
    long expired1 = stats1().getExpired();
    long expired2 = stats2().getExpired();
    CountDownLatch cancelled = new CountDownLatch(1);
    AtomicInteger events = new AtomicInteger();
    OrchestratorServiceGrpc.newStub(live.channel).generate(longRun().build(), new ClientResponseObserver<GenerateRequest, GenerateResponse>() {
      ClientCallStreamObserver<GenerateRequest> call;

      @Override
      public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
        call = requestStream;
      }

      @Override
      public void onNext(GenerateResponse e) {
        if (e.hasTokens() && events.incrementAndGet() == 3) {
          // the generation is under way: both services hold a cache for it now
          assertEquals(1, stats1().getSessions());
          assertEquals(1, stats2().getSessions());
          call.cancel("the client lost interest", null);
          cancelled.countDown();
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    assertTrue(cancelled.await(30, TimeUnit.SECONDS));
    // freed within the wait's 10 s, against a 5-minute idle limit: ended by the orchestrator, or
    // dropped by a call of its own that the cancellation failed while in flight (whose session the
    // orchestrator's EndSession then no longer finds), never left to expire
    awaitTrue(() -> stats1().getSessions() == 0 && stats2().getSessions() == 0, "both caches to be freed");
    assertTrue(HostLimits.DEFAULT.sessionIdle().toSeconds() >= 60, "the wait is far shorter than the idle limit");
    assertEquals(expired1, stats1().getExpired(), "System 1's cache was freed, not left to expire");
    assertEquals(expired2, stats2().getExpired());
    assertTrue(stats1().getEnded() + stats2().getEnded() > ended1 + ended2, "the orchestrator ended what it held");
    assertEquals(0, stats2().getCacheBytes());
  }

  @Test
  void aDeadlineReachesTheModelServicesAndFreesTheCaches() throws Exception {
    Iterator<GenerateResponse> it = live.orchestrator().withDeadlineAfter(300, TimeUnit.MILLISECONDS).generate(longRun().build());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> {
      while (it.hasNext()) it.next();
    });
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    awaitTrue(() -> stats1().getSessions() == 0 && stats2().getSessions() == 0, "both caches to be freed");
  }

  /**
   * A deadline that passes mid-stream (the stream's headers long sent) ends the call with a
   * DEADLINE_EXCEEDED status from the orchestrator, not a reset stream: a client whose own timer
   * is later than the server's (grpc-js reported CANCELLED "Call cancelled" here) reads it.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aDeadlineMidStreamEndsWithDeadlineExceededNotAResetStream() throws Exception {
    for (long ms : new long[] {200, 1000}) {
      long t0 = System.nanoTime();
      java.util.List<GenerateResponse> got = new java.util.ArrayList<>();
      // the client sets no deadline of its own: the status it reports is the server's
      Iterator<GenerateResponse> it = live.orchestrator().withInterceptors(new ServerDeadline(ms)).generate(longRun().build());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> {
        while (it.hasNext()) got.add(it.next());
      });
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), ms + " ms: " + e.getStatus());
      assertTrue(e.getStatus().getDescription().contains("deadline"), e.getStatus().toString());
      assertTrue(!got.isEmpty() && got.get(0).hasStarted(), "the stream was under way when the deadline came");
      assertTrue(seconds < ms / 1e3 + 5, "ended at the deadline, not at the client's own: " + seconds + " s");
      awaitTrue(() -> stats1().getSessions() == 0 && stats2().getSessions() == 0, "both caches to be freed");
    }
  }

  /**
   * Work whose caller has gone is stopped, and leaves no cache: a verify of a 1,000-token prefix
   * with a deadline of an eighth of its time, and one cancelled by its client after 20 ms, stop within a chunk of
   * the prefix and keep nothing for their sessions, where the same call with time to finish
   * computes the whole prefix and keeps its cache.
   */
  @Test
  void workWhoseCallerHasGoneIsStoppedAndLeavesNoCache() throws Exception {
    BatchVerifyRequest.Builder verify = BatchVerifyRequest.newBuilder().addDraft(5).addDraft(6).addDraft(7);
    for (int i = 0; i < 1000; i++) verify.addPrefix(3 + (i * 37) % 4000);
    java.util.function.Function<String, Boolean> held = id -> live.system2Stub().endSession(
        dev.fsgen.proto.model.v1.EndSessionRequest.newBuilder().setSessionId(id).build()).getReleased();

    // with time to finish: the whole prefix computed, its cache kept until the session ends
    double busy = dev.fsgen.grpc.Messages.seconds(stats2().getBusyTime());
    assertEquals(4, live.system2Stub().batchVerify(verify.setSessionId("verify-finished").build()).getArgmaxCount());
    double full = dev.fsgen.grpc.Messages.seconds(stats2().getBusyTime()) - busy;
    assertTrue(held.apply("verify-finished"), "a finished call keeps its cache");

    long requests = stats2().getRequests();
    busy = dev.fsgen.grpc.Messages.seconds(stats2().getBusyTime());
    // a deadline of an eighth of the whole call's time (at least 50 ms): it arrives with time left on
    // a loaded machine too, so it starts, and expires early enough that, stopped at the end of the
    // chunk under way (1,000 tokens are 8 libtorch chunks of 128), it has done under half the work
    long deadlineMs = Math.max(50, (long) (full * 1000 / 8));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> live.system2Stub().withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).batchVerify(verify.setSessionId("verify-expired").build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    awaitTrue(() -> stats2().getRequests() > requests, "System 2 to have taken the call off its queue");
    // the call notices its deadline between chunks of its prefill: on a loaded machine that may come
    // after the client has its DEADLINE_EXCEEDED, so wait for it to let go (a cache it kept never would)
    awaitTrue(() -> stats2().getSessions() == 0, "the expired call to drop its cache");
    double cut = dev.fsgen.grpc.Messages.seconds(stats2().getBusyTime()) - busy;
    assertFalse(held.apply("verify-expired"), "an expired call leaves no cache");
    assertTrue(cut < full / 2, "the expired call's prefill stopped early: " + cut + " s against " + full + " s for the whole");

    long before = stats2().getRequests();
    io.grpc.Context.CancellableContext client = io.grpc.Context.current().withCancellation();
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      timer.schedule(() -> client.cancel(null), 20, TimeUnit.MILLISECONDS);
      StatusRuntimeException c = assertThrows(StatusRuntimeException.class,
          () -> client.call(() -> live.system2Stub().batchVerify(verify.setSessionId("verify-cancelled").build())));
      assertEquals(Status.Code.CANCELLED, c.getStatus().getCode());
    } finally {
      timer.shutdownNow();
    }
    awaitTrue(() -> stats2().getRequests() > before, "System 2 to have taken the call off its queue");
    assertFalse(held.apply("verify-cancelled"), "a cancelled call leaves no cache");
    assertEquals(0, stats2().getSessions());
  }

  @Test
  void aCompletedGenerationLeavesNoCacheBehind() throws Exception {
    live.generate(GenerateRequest.newBuilder().setText("In the beginning").setMaxTokens(10).build());
    awaitTrue(() -> stats1().getSessions() == 0 && stats2().getSessions() == 0, "both caches to be freed");
  }

  @Test
  void everyOutOfRangeOrchestratorFieldIsInvalidArgumentNamingIt() {
    GenerateRequest ok = GenerateRequest.newBuilder().setText("Hello").setMaxTokens(4).build();
    Map<String, GenerateRequest> bad = new LinkedHashMap<>();
    bad.put("prompt", GenerateRequest.newBuilder().setMaxTokens(4).build());
    bad.put("text", ok.toBuilder().setText("").build());
    bad.put("tokens.ids", ok.toBuilder().setTokens(TokenIds.newBuilder().addIds(5).addIds(4096)).build());
    bad.put("tokens.ids[0]", ok.toBuilder().setTokens(TokenIds.newBuilder().addIds(-1)).build());
    bad.put("max_tokens", ok.toBuilder().setMaxTokens(1_000_000_000).build());
    bad.put("sampling.temperature", ok.toBuilder().setSampling(Sampling.newBuilder().setTemperature(Double.NaN)).build());
    bad.put("sampling.temperature ", ok.toBuilder().setSampling(Sampling.newBuilder().setTemperature(-1)).build());
    bad.put("sampling.top_p", ok.toBuilder().setSampling(Sampling.newBuilder().setTemperature(1).setTopP(1.5)).build());
    bad.put("sampling.top_p ", ok.toBuilder().setSampling(Sampling.newBuilder().setTemperature(1).setTopP(0)).build());
    bad.put("sampling.top_k", ok.toBuilder().setSampling(Sampling.newBuilder().setTemperature(1).setTopK(-1)).build());
    bad.put("strategy.speculative.gamma", ok.toBuilder().setStrategy(SpeculativeOverGrpcTest.speculative(1_000_000)).build());
    bad.put("session_id", ok.toBuilder().setSessionId("no spaces allowed").build());
    bad.put("session_id ", ok.toBuilder().setSessionId("x".repeat(200)).build());
    bad.put("the prompt has", ok.toBuilder().setTokens(TokenIds.newBuilder().addAllIds(java.util.Collections.nCopies(1100, 7))).build());
    for (Map.Entry<String, GenerateRequest> c : bad.entrySet()) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> live.generate(c.getValue()), c.getKey());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), c.getKey() + ": " + e.getStatus());
      assertTrue(e.getStatus().getDescription().contains(c.getKey().trim()), c.getKey() + " not named in: " + e.getStatus().getDescription());
    }
    // and the services still serve
    assertEquals(4, Generated.of(live.generate(ok)).ids().length);
  }

  @Test
  void everyOutOfRangeModelServiceFieldIsInvalidArgumentNamingIt() {
    NextTokenRequest next = NextTokenRequest.newBuilder().setSessionId("s").addPrefix(1).build();
    DraftRequest draft = DraftRequest.newBuilder().setSessionId("s").addPrefix(1).setGamma(2).build();
    BatchVerifyRequest verify = BatchVerifyRequest.newBuilder().setSessionId("s").addPrefix(1).addDraft(2).build();
    Map<String, Runnable> bad = new LinkedHashMap<>();
    bad.put("session_id", () -> live.system1Stub().nextToken(next.toBuilder().setSessionId("").build()));
    bad.put("prefix", () -> live.system1Stub().nextToken(next.toBuilder().clearPrefix().build()));
    bad.put("prefix[1]", () -> live.system2Stub().nextToken(next.toBuilder().addPrefix(99999).build()));
    bad.put("prefix ", () -> live.system2Stub().nextToken(next.toBuilder().addAllPrefix(java.util.Collections.nCopies(1100, 3)).build()));
    bad.put("top_k", () -> live.system1Stub().nextToken(next.toBuilder().setTopK(5000).build()));
    bad.put("token_ids.ids[0]", () -> live.system1Stub().nextToken(next.toBuilder().setTokenIds(TokenIds.newBuilder().addIds(-5)).build()));
    bad.put("sampling.top_p", () -> live.system1Stub().nextToken(next.toBuilder().setSampling(Sampling.newBuilder().setTopP(2)).build()));
    bad.put("gamma", () -> live.system1Stub().draft(draft.toBuilder().setGamma(0).build()));
    bad.put("gamma ", () -> live.system1Stub().draft(draft.toBuilder().setGamma(1_000_000).build()));
    bad.put("draft", () -> live.system2Stub().batchVerify(verify.toBuilder().clearDraft()
        .addAllDraft(java.util.Collections.nCopies(HostLimits.DEFAULT.maxDraftTokens() + 1, 3)).build()));
    bad.put("draft[0]", () -> live.system2Stub().batchVerify(verify.toBuilder().setDraft(0, 4096).build()));
    bad.put("sampling.temperature", () -> live.system2Stub().batchVerify(verify.toBuilder().setSampling(Sampling.newBuilder().setTemperature(-2)).build()));
    for (Map.Entry<String, Runnable> c : bad.entrySet()) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, c.getValue()::run, c.getKey());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), c.getKey() + ": " + e.getStatus());
      assertTrue(e.getStatus().getDescription().contains(c.getKey().trim()), c.getKey() + " not named in: " + e.getStatus().getDescription());
    }
  }

  @Test
  void aSessionIdInUseIsRefused() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    OrchestratorServiceGrpc.newStub(live.channel).generate(longRun().setSessionId("shared-1").setMaxTokens(300).build(),
        new StreamObserver<>() {
          public void onNext(GenerateResponse e) { started.countDown(); }
          public void onError(Throwable t) { done.countDown(); }
          public void onCompleted() { done.countDown(); }
        });
    assertTrue(started.await(30, TimeUnit.SECONDS));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> live.generate(GenerateRequest.newBuilder().setText("x").setSessionId("shared-1").setMaxTokens(2).build()));
    assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
    assertTrue(done.await(60, TimeUnit.SECONDS));
  }

}
