package dev.fsgen.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.grpc.CacheMissException;
import dev.fsgen.grpc.PrefixHash;
import dev.fsgen.grpc.Statuses;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.BatchVerifyResponse;
import dev.fsgen.proto.model.v1.CachedPrefix;
import dev.fsgen.proto.model.v1.EndSessionRequest;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import io.grpc.Context;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What calls leave in a model host's session caches: a request that sends only the tokens after a
 * cached start answers as if it had sent them all, a start the cache does not hold is a miss, and a
 * cancelled call keeps nothing.
 */
class SessionCachesTest {
  private static final int[] START = {11, 12, 13, 14, 15};
  private static ModelHost host;

  @BeforeAll
  static void load() {
    host = ModelHost.load(Path.of("..", "models", "system1"), HostLimits.DEFAULT, HostRef.DEFAULT, ServiceRole.SYSTEM1.wire);
  }

  @AfterAll
  static void close() {
    host.close();
  }

  private static NextTokenRequest.Builder next(String session, int... prefix) {
    NextTokenRequest.Builder b = NextTokenRequest.newBuilder().setSessionId(session).setFullVocabulary(true);
    for (int t : prefix) b.addPrefix(t);
    return b;
  }

  private static CachedPrefix cached(int[] tokens) {
    return CachedPrefix.newBuilder().setTokens(tokens.length).setHash(PrefixHash.of(tokens, tokens.length)).build();
  }

  private static float[] logits(dev.fsgen.proto.model.v1.NextTokenResponse r) {
    float[] out = new float[r.getLogitsCount()];
    for (int i = 0; i < out.length; i++) out[i] = r.getLogits(i);
    return out;
  }

  @Test
  void theRestAfterACachedStartScoresLikeTheWholePrefix() {
    host.nextToken(next("delta", START).build());
    float[] delta = logits(host.nextToken(next("delta", 16, 17).setCached(cached(START)).build()));
    float[] whole = logits(host.nextToken(next("whole", 11, 12, 13, 14, 15, 16, 17).build()));
    assertArrayEquals(whole, delta, 1e-4f); // a block and a prefill round differently
    // a cached start shorter than what the cache holds, and no new tokens at all
    int[] three = Arrays.copyOf(START, 3);
    float[] shorter = logits(host.nextToken(next("delta").setCached(cached(three)).build()));
    float[] wholeThree = logits(host.nextToken(next("whole3", three).build()));
    assertArrayEquals(wholeThree, shorter, 1e-4f);
  }

  @Test
  void verifyTakesACachedStartToo() {
    host.nextToken(next("v", START).build());
    BatchVerifyResponse delta = host.verify(BatchVerifyRequest.newBuilder().setSessionId("v").setCached(cached(START))
        .addPrefix(16).addDraft(17).addDraft(18).build());
    BatchVerifyResponse whole = host.verify(BatchVerifyRequest.newBuilder().setSessionId("v-whole")
        .addAllPrefix(Arrays.stream(new int[] {11, 12, 13, 14, 15, 16}).boxed().toList()).addDraft(17).addDraft(18).build());
    assertEquals(whole.getArgmaxList(), delta.getArgmaxList());
  }

  @Test
  void aStartTheCacheDoesNotHoldIsACacheMiss() {
    host.nextToken(next("m", START).build());
    int[] other = {11, 12, 99, 14, 15};
    CacheMissException wrong = assertThrows(CacheMissException.class, () -> host.nextToken(next("m", 16).setCached(cached(other)).build()),
        "wrong tokens");
    assertEquals(other.length, wrong.cachedTokens(), "the miss names the cached length the request sent");
    int[] longer = {11, 12, 13, 14, 15, 16};
    assertThrows(CacheMissException.class, () -> host.nextToken(next("m", 17).setCached(cached(longer)).build()), "longer than held");
    assertThrows(CacheMissException.class, () -> host.nextToken(next("unknown", 16).setCached(cached(START)).build()), "no session");
    host.end(EndSessionRequest.newBuilder().setSessionId("m").build());
    assertThrows(CacheMissException.class, () -> host.nextToken(next("m", 16).setCached(cached(START)).build()), "ended");
    // over gRPC a miss is FAILED_PRECONDITION whose ErrorInfo tells the client to resend, with the length it named
    io.grpc.StatusRuntimeException e = Statuses.toException(wrong);
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    com.google.rpc.ErrorInfo info = errorInfo(e);
    assertEquals("CACHE_MISS", info.getReason());
    assertEquals(Statuses.DOMAIN, info.getDomain());
    assertEquals(Integer.toString(other.length), info.getMetadataOrThrow(Statuses.CACHED_TOKENS));
    assertEquals("INVALID_REQUEST", errorInfo(Statuses.toException(new IllegalArgumentException("y"))).getReason());
  }

  private static com.google.rpc.ErrorInfo errorInfo(io.grpc.StatusRuntimeException e) {
    for (com.google.protobuf.Any a : io.grpc.protobuf.StatusProto.fromThrowable(e).getDetailsList()) {
      if (a.is(com.google.rpc.ErrorInfo.class)) {
        try {
          return a.unpack(com.google.rpc.ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
          throw new AssertionError(bad);
        }
      }
    }
    throw new AssertionError("no ErrorInfo in " + e.getStatus());
  }

  @Test
  void theContextLimitCountsTheCachedStart() {
    int context = host.info().getContextLength();
    CachedPrefix huge = CachedPrefix.newBuilder().setTokens(context).setHash(1).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> host.nextToken(next("c", 5).setCached(huge).build()));
    assertTrue(e.getMessage().contains("cached.tokens"), e.getMessage());
  }

  /**
   * Continuous batching: concurrent requests on different sessions share forward passes and each
   * gets what it gets alone. Bursts of eight simultaneous requests repeat until one pass served
   * more than one of them.
   */
  @Test
  void concurrentRequestsShareAPassAndGetWhatTheyGetAlone() throws Exception {
    int n = 8;
    float[][] alone = new float[n][];
    for (int i = 0; i < n; i++) alone[i] = logits(host.nextToken(next("alone-" + i, 20 + i, 21, 22 + i).build()));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      boolean shared = false;
      for (int burst = 0; burst < 50 && !shared; burst++) {
        long requests = host.stats().getRequests();
        long passes = host.stats().getPasses();
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
        java.util.List<java.util.concurrent.Future<float[]>> got = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          int k = i;
          String session = "burst-" + burst + "-" + i;
          got.add(pool.submit(() -> {
            start.await();
            return logits(host.nextToken(next(session, 20 + k, 21, 22 + k).build()));
          }));
        }
        for (int i = 0; i < n; i++) assertArrayEquals(alone[i], got.get(i).get(), 1e-4f, "request " + i + " of burst " + burst);
        for (int i = 0; i < n; i++) host.end(EndSessionRequest.newBuilder().setSessionId("burst-" + burst + "-" + i).build());
        shared = host.stats().getPasses() - passes < host.stats().getRequests() - requests;
      }
      assertTrue(shared, "no pass ever served two concurrent requests");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Drafts join the batcher too: concurrent drafts on different sessions share passes (one step
   * of each per pass), a draft in progress lets other requests into its passes, and each gets the
   * tokens, greedy choices and probabilities it gets alone.
   */
  @Test
  void concurrentDraftsSharePassesAndGetWhatTheyGetAlone() throws Exception {
    int n = 6;
    int gamma = 5;
    dev.fsgen.proto.model.v1.DraftResponse[] alone = new dev.fsgen.proto.model.v1.DraftResponse[n];
    for (int i = 0; i < n; i++) alone[i] = host.draft(draft("draft-alone-" + i, gamma, 30 + i, 31, 32 + 2 * i));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n + 1);
    try {
      boolean shared = false;
      for (int burst = 0; burst < 30 && !shared; burst++) {
        long requests = host.stats().getRequests();
        long passes = host.stats().getPasses();
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n + 1);
        java.util.List<java.util.concurrent.Future<dev.fsgen.proto.model.v1.DraftResponse>> got = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          int k = i;
          String session = "draft-burst-" + burst + "-" + i;
          got.add(pool.submit(() -> {
            start.await();
            return host.draft(draft(session, gamma, 30 + k, 31, 32 + 2 * k));
          }));
        }
        String other = "draft-burst-next-" + burst;
        java.util.concurrent.Future<float[]> next = pool.submit(() -> {
          start.await();
          return logits(host.nextToken(next(other, 20, 21, 22).build()));
        });
        for (int i = 0; i < n; i++) {
          dev.fsgen.proto.model.v1.DraftResponse d = got.get(i).get();
          assertEquals(alone[i].getTokensList(), d.getTokensList(), "draft " + i + " of burst " + burst);
          assertEquals(alone[i].getGreedyList(), d.getGreedyList());
          assertEquals(alone[i].getPreviousGreedy(), d.getPreviousGreedy());
          for (int t = 0; t < gamma; t++) assertEquals(alone[i].getTokenProbabilities(t), d.getTokenProbabilities(t), 1e-4f);
          host.end(EndSessionRequest.newBuilder().setSessionId("draft-burst-" + burst + "-" + i).build());
        }
        next.get();
        host.end(EndSessionRequest.newBuilder().setSessionId(other).build());
        // alone, the n drafts and the other request would take n * gamma + 1 passes
        shared = host.stats().getPasses() - passes < (long) n * gamma;
        assertEquals(n + 1, host.stats().getRequests() - requests);
      }
      assertTrue(shared, "concurrent drafts never shared a pass");
    } finally {
      pool.shutdownNow();
    }
  }

  private static dev.fsgen.proto.model.v1.DraftRequest draft(String session, int gamma, int... prefix) {
    dev.fsgen.proto.model.v1.DraftRequest.Builder b = dev.fsgen.proto.model.v1.DraftRequest.newBuilder().setSessionId(session)
        .setGamma(gamma);
    for (int t : prefix) b.addPrefix(t);
    return b.build();
  }

  private static NextTokenRequest shortPrefix(String session) {
    return NextTokenRequest.newBuilder().setSessionId(session).addPrefix(5).addPrefix(6).addPrefix(7).build();
  }

  /**
   * A call cancelled (or past its deadline) while it waited for the model keeps no session cache:
   * its caller may already have ended the session, and nothing would end it again.
   */
  @Test
  void aCallCancelledBeforeTheModelRanCreatesNoCache() throws Exception {
    long sessionsBefore = host.stats().getSessions();
    Context.CancellableContext cancelled = Context.current().withCancellation();
    cancelled.cancel(null);
    assertThrows(CancellationException.class, () -> cancelled.call(() -> host.nextToken(shortPrefix("gone"))));
    assertEquals(sessionsBefore, host.stats().getSessions());
  }

  @Test
  void aLiveCallKeepsItsCacheUntilTheSessionEnds() {
    long sessionsBefore = host.stats().getSessions();
    host.nextToken(shortPrefix("kept"));
    assertEquals(sessionsBefore + 1, host.stats().getSessions());
    host.end(EndSessionRequest.newBuilder().setSessionId("kept").build());
    assertEquals(sessionsBefore, host.stats().getSessions());
  }
}
