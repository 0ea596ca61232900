package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.ProxyTuningOptions;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.BatchVerifyRequest;
import dev.fsgen.proto.model.v1.DraftRequest;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.Sampling;
import dev.fsgen.proto.model.v1.TokenIds;
import dev.fsgen.service.HostLimits;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10,000 mutated requests against live services: random and extreme field values for every
 * parameter of Generate and of the model services' calls, and byte-level damage (flipped,
 * dropped, appended bytes) to serialized requests. Every answer must be a result or one of the
 * statuses bad input is meant to get, never UNKNOWN, INTERNAL or a hang; the services must serve
 * afterwards.
 */
class FuzzTest {
  private static final int REQUESTS = Integer.getInteger("fsgen.fuzz.requests", 10_000);
  private static final Set<Status.Code> EXPECTED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.ALREADY_EXISTS, Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE);
  private static final double[] EXTREMES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1, 0, 1e-300,
      0.1, 0.5, 1, 1.0000001, 2, 1e9, -0.0};
  private static final int[] COUNTS = {0, 1, 2, 4, 8, 9, 17, 64, 65, 1000, Integer.MAX_VALUE, -1, Integer.MIN_VALUE};

  static LiveServices live;

  @BeforeAll
  static void start() {
    // a small max_tokens keeps the valid requests quick; System 1 hosts a second name for proxy tuning
    live = new LiveServices(Map.of("default", LiveServices.ROOT.resolve("models/system1"), "tuned",
        LiveServices.ROOT.resolve("models/system1")), HostLimits.DEFAULT, new OrchestratorLimits(256, 8, 16, 64, 1 << 20, 4, 4));
  }

  @AfterAll
  static void stop() {
    live.close();
  }

  private static double pick(SplittableRandom r) {
    return r.nextInt(3) == 0 ? r.nextDouble() * 4 - 1 : EXTREMES[r.nextInt(EXTREMES.length)];
  }

  private static int count(SplittableRandom r) {
    return r.nextInt(3) == 0 ? r.nextInt(20) : COUNTS[r.nextInt(COUNTS.length)];
  }

  private static int tokenId(SplittableRandom r) {
    return r.nextInt(10) == 0 ? COUNTS[r.nextInt(COUNTS.length)] : r.nextInt(4096);
  }

  private static String text(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(10) == 0 ? 0 : r.nextInt(120);
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      b.appendCodePoint(kind < 7 ? 'a' + r.nextInt(26) : kind < 8 ? ' ' : kind < 9 ? 0x80 + r.nextInt(0x2000) : 0x1F600 + r.nextInt(80));
    }
    return b.toString();
  }

  private static Sampling sampling(SplittableRandom r) {
    Sampling.Builder s = Sampling.newBuilder().setTemperature(pick(r)).setTopK(count(r));
    if (r.nextBoolean()) s.setTopP(pick(r));
    return s.build();
  }

  private static StrategyOptions strategy(SplittableRandom r) {
    StrategyOptions.Builder s = StrategyOptions.newBuilder();
    switch (r.nextInt(8)) {
      case 0 -> s.setSpeculative(SpeculativeOptions.newBuilder().setGamma(count(r)));
      case 1 -> s.setSystem1Only(SingleModelOptions.getDefaultInstance());
      case 2 -> s.setSystem2Only(SingleModelOptions.getDefaultInstance());
      case 3 -> {
        ContrastiveOptions.Builder c = ContrastiveOptions.newBuilder().setFormValue(r.nextInt(4));
        if (r.nextBoolean()) c.setAlpha(pick(r));
        if (r.nextBoolean()) c.setBeta(pick(r));
        s.setContrastive(c);
      }
      case 4 -> {
        String[] names = {"", "default", "tuned", "nope", "../x", "/etc/passwd", "tuned\u0000"};
        ProxyTuningOptions.Builder p = ProxyTuningOptions.newBuilder().setTunedModel(names[r.nextInt(names.length)]).setBaseModel(names[r.nextInt(names.length)]);
        if (r.nextBoolean()) p.setAlpha(pick(r));
        s.setProxyTuning(p);
      }
      case 5 -> {
        GatedOptions.Builder g = GatedOptions.newBuilder().setRouterValue(r.nextInt(7) - 1);
        if (r.nextBoolean()) g.setThreshold(pick(r));
        if (r.nextBoolean()) g.setBudget(pick(r));
        s.setGated(g);
      }
      case 6 -> s.setOracle(SingleModelOptions.getDefaultInstance());
      default -> { } // none: the default strategy
    }
    return s.build();
  }

  private static GenerateRequest generateRequest(SplittableRandom r) {
    GenerateRequest.Builder b = GenerateRequest.newBuilder();
    if (r.nextBoolean()) {
      b.setText(text(r));
    } else {
      TokenIds.Builder ids = TokenIds.newBuilder();
      int n = r.nextInt(12) == 0 ? 300 : r.nextInt(40);
      for (int i = 0; i < n; i++) ids.addIds(tokenId(r));
      b.setTokens(ids);
    }
    if (r.nextInt(3) == 0) b.setStrategy(strategy(r));
    if (r.nextInt(3) == 0) b.setSampling(sampling(r));
    if (r.nextInt(3) == 0) b.setMaxTokens(count(r));
    else b.setMaxTokens(1 + r.nextInt(8));
    if (r.nextInt(5) == 0) b.setSessionId(r.nextBoolean() ? text(r) : "fuzz-" + r.nextInt(1000));
    b.setSeed(r.nextLong()).setIgnoreEos(r.nextBoolean()).setAllowDegraded(r.nextBoolean());
    return b.build();
  }

  /** Damages a serialized request: flipped bytes, a cut, or garbage appended. */
  private static byte[] damage(byte[] bytes, SplittableRandom r) {
    byte[] out = bytes.clone();
    switch (r.nextInt(3)) {
      case 0 -> {
        for (int i = 0; i < 1 + r.nextInt(4) && out.length > 0; i++) out[r.nextInt(out.length)] ^= (byte) (1 + r.nextInt(255));
      }
      case 1 -> out = java.util.Arrays.copyOf(out, out.length == 0 ? 0 : r.nextInt(out.length));
      default -> {
        byte[] tail = new byte[1 + r.nextInt(16)];
        r.nextBytes(tail);
        out = java.util.Arrays.copyOf(out, out.length + tail.length);
        System.arraycopy(tail, 0, out, out.length - tail.length, tail.length);
      }
    }
    return out;
  }

  /** One request of a random kind; returns its status code. */
  private static Status.Code send(SplittableRandom r) {
    try {
      int kind = r.nextInt(10);
      if (kind < 5) {
        for (Iterator<GenerateResponse> it = live.orchestrator().withDeadlineAfter(20, TimeUnit.SECONDS).generate(generateRequest(r)); it.hasNext(); ) it.next();
      } else if (kind < 7) {
        byte[] damaged = damage(generateRequest(r).toByteArray(), r);
        RawGenerate.send(live.channel, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), damaged);
      } else {
        NextTokenRequest.Builder next = NextTokenRequest.newBuilder().setSessionId(r.nextInt(4) == 0 ? text(r) : "fz" + r.nextInt(50));
        for (int i = 0; i < r.nextInt(30); i++) next.addPrefix(tokenId(r));
        if (r.nextBoolean()) next.setSampling(sampling(r));
        switch (r.nextInt(4)) {
          case 0 -> next.setTopK(count(r));
          case 1 -> next.setTokenIds(TokenIds.newBuilder().addIds(tokenId(r)).addIds(tokenId(r)));
          case 2 -> next.setFullVocabulary(true);
          default -> { }
        }
        if (r.nextInt(5) == 0) next.setModel(r.nextBoolean() ? "tuned" : text(r));
        NextTokenRequest n = next.build();
        switch (kind) {
          case 7 -> live.system1Stub().withDeadlineAfter(20, TimeUnit.SECONDS).nextToken(n);
          case 8 -> live.system1Stub().withDeadlineAfter(20, TimeUnit.SECONDS).draft(DraftRequest.newBuilder().setSessionId(n.getSessionId())
              .addAllPrefix(n.getPrefixList()).setGamma(count(r)).setSeed(r.nextLong()).setReturnDistributions(r.nextBoolean())
              .setSampling(sampling(r)).build());
          default -> {
            BatchVerifyRequest.Builder v = BatchVerifyRequest.newBuilder().setSessionId(n.getSessionId()).addAllPrefix(n.getPrefixList());
            for (int i = 0; i < r.nextInt(20); i++) v.addDraft(tokenId(r));
            if (r.nextBoolean()) v.setSampling(sampling(r));
            live.system2Stub().withDeadlineAfter(20, TimeUnit.SECONDS).batchVerify(v.build());
          }
        }
      }
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      Status.Code c = e.getStatus().getCode();
      if (!EXPECTED.contains(c)) throw new AssertionError("unexpected " + e.getStatus(), e);
      return c;
    }
  }

  @Test
  void tenThousandMutatedRequestsGetDefinedAnswersAndTheServicesKeepServing() {
    SplittableRandom r = new SplittableRandom(20261125);
    Map<Status.Code, Integer> seen = new EnumMap<>(Status.Code.class);
    long start = System.nanoTime();
    for (int i = 0; i < REQUESTS; i++) seen.merge(send(r.split()), 1, Integer::sum);
    System.out.printf("fuzz: %d requests in %.1f s: %s%n", REQUESTS, (System.nanoTime() - start) / 1e9, new TreeMap<>(seen));
    assertTrue(seen.getOrDefault(Status.Code.OK, 0) > REQUESTS / 20, "some requests are valid: " + seen);
    assertTrue(seen.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > REQUESTS / 5, "many are not: " + seen);
    for (io.grpc.Channel c : new io.grpc.Channel[] {live.channel, live.channel1, live.channel2}) {
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(c).check(HealthCheckRequest.getDefaultInstance()).getStatus());
    }
    assertEquals(4, Generated.of(live.generate(GenerateRequest.newBuilder().setText("Hello").setMaxTokens(4).build())).ids().length);
  }
}
