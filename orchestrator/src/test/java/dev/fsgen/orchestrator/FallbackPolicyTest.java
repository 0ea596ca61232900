package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.ContrastiveOptions;
import dev.fsgen.proto.decoding.v1.GatedOptions;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import dev.fsgen.proto.model.v1.Sampling;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * No silent change of algorithm: with a model service's process killed, a request is finished by
 * the other model alone only where that gives the very tokens asked for (greedy speculative
 * decoding without System 1), or where the request allows it (allow_degraded); otherwise it fails
 * UNAVAILABLE. A baseline that names one model is never answered by the other. The cases are the
 * rows of docs/resilience.md's table of degraded modes.
 */
class FallbackPolicyTest {
  private static final int TOKENS = 12;
  private static final Sampling SAMPLED = Sampling.newBuilder().setTemperature(0.8).setTopP(0.95).build();
  private ServiceProcess system1;
  private ServiceProcess system2;
  private OrchestratorServer orchestrator;
  private ManagedChannel channel;

  private void start() throws Exception {
    system1 = ServiceProcess.start("dev.fsgen.system1.System1Main", LiveServices.ROOT.resolve("models/system1"), "system1");
    system2 = ServiceProcess.start("dev.fsgen.system2.System2Main", LiveServices.ROOT.resolve("models/system2"), "system2");
    ReplicaOptions quick = new ReplicaOptions(Duration.ofSeconds(10), 2, Duration.ofMillis(20), 50, 10, Duration.ofSeconds(5), 256,
        Duration.ofMillis(100), 0.25, Duration.ofMinutes(10));
    orchestrator = OrchestratorServer.pairing(system1.address(), system2.address()).waitFor(Duration.ofSeconds(60)).replicas(quick)
        .listen("127.0.0.1", 0);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) channel.shutdownNow();
    if (orchestrator != null) orchestrator.close();
    if (system1 != null) system1.close();
    if (system2 != null) system2.close();
  }

  private static final StrategyOptions SPECULATIVE = StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setGamma(3)).build();
  private static final StrategyOptions SYSTEM1_ONLY = StrategyOptions.newBuilder().setSystem1Only(SingleModelOptions.getDefaultInstance()).build();
  private static final StrategyOptions SYSTEM2_ONLY = StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build();
  private static final StrategyOptions CONTRASTIVE = StrategyOptions.newBuilder().setContrastive(ContrastiveOptions.newBuilder().setForm(ContrastiveOptions.Form.FORM_LI)).build();
  private static final StrategyOptions GATED = StrategyOptions.newBuilder().setGated(GatedOptions.newBuilder().setRouter(GatedOptions.Router.ROUTER_ENTROPY).setThreshold(0)).build();
  private static final StrategyOptions ORACLE = StrategyOptions.newBuilder().setOracle(SingleModelOptions.getDefaultInstance()).build();

  private static GenerateRequest.Builder request(StrategyOptions s) {
    return GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(TOKENS).setIgnoreEos(true).setStrategy(s).setSeed(5);
  }

  private record Result(int[] ids, List<Token> tokens, Summary summary) {}

  private Result generate(GenerateRequest r) {
    List<Token> tokens = new ArrayList<>();
    Summary summary = null;
    for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS)
        .generate(r); it.hasNext(); ) {
      GenerateResponse e = it.next();
      if (e.hasTokens()) tokens.addAll(e.getTokens().getTokensList());
      if (e.hasSummary()) summary = e.getSummary();
    }
    return new Result(tokens.stream().mapToInt(Token::getId).toArray(), tokens, summary);
  }

  /** The request fails UNAVAILABLE, its message naming what is down and the phrases given. */
  private void unavailable(GenerateRequest r, String... says) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> generate(r), r.getStrategy().toString());
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    for (String s : says) assertTrue(e.getStatus().getDescription().contains(s), "'" + e.getStatus().getDescription() + "' lacks '" + s + "'");
  }

  /** Finished by {@code by} alone: every token degraded and produced by it, the summary saying so. */
  private static void degraded(Result r, TokenProducer by, String what) {
    assertEquals(TOKENS, r.ids().length, what);
    for (Token t : r.tokens()) {
      assertTrue(t.getDegraded(), what);
      assertEquals(by, t.getProducer(), what);
    }
    assertFalse(r.summary().getDegraded().isEmpty(), what);
  }

  /** docs/resilience.md's table says what the two tests below check, row by row. */
  @Test
  void theDocumentedTableIsThisPolicy() throws Exception {
    String doc = java.nio.file.Files.readString(LiveServices.ROOT.resolve("docs/resilience.md"));
    for (String row : new String[] {
        "| `speculative`, greedy | System 2 alone finishes: lossless",
        "| `speculative`, sampled | UNAVAILABLE (System 2 alone keeps the distribution, not the seed's tokens); System 2 alone with `allow_degraded` |",
        "| `contrastive`, `proxy`, `gated` | UNAVAILABLE; System 2 alone with `allow_degraded` | UNAVAILABLE; System 1 alone with `allow_degraded` |",
        "| `oracle` | UNAVAILABLE",
        "| `system1` | UNAVAILABLE, `allow_degraded` or not | runs: it needs no System 2 |",
        "| `system2` | runs: it needs no System 1",
        "UNAVAILABLE, `allow_degraded` or not |"}) {
      assertTrue(doc.contains(row), "docs/resilience.md lacks: " + row);
    }
  }

  @Test
  void system1KilledOnlyGreedySpeculativeFallsBackOnItsOwn() throws Exception {
    start();
    Result aloneGreedy = generate(request(SYSTEM2_ONLY).build());
    assertTrue(aloneGreedy.summary().hasCollaborationFrequency());
    system1.kill();

    // lossless: greedy speculative decoding is System 2's greedy output, token for token
    Result spec = generate(request(SPECULATIVE).build());
    assertArrayEquals(aloneGreedy.ids(), spec.ids());
    degraded(spec, TokenProducer.TOKEN_PRODUCER_SYSTEM2, "greedy speculative");
    assertTrue(spec.summary().getDegraded().startsWith("System 1 went down after 0 tokens; System 2 alone"), spec.summary().getDegraded());

    // System 2 alone needs no System 1: the same tokens, not degraded; only the frequency is missing
    Result alone = generate(request(SYSTEM2_ONLY).build());
    assertArrayEquals(aloneGreedy.ids(), alone.ids());
    assertTrue(alone.summary().getDegraded().isEmpty());
    assertFalse(alone.summary().hasCollaborationFrequency(), "System 1 could not score the text");
    assertTrue(alone.tokens().stream().noneMatch(Token::getDegraded));

    // another answer than the one asked for: UNAVAILABLE unless allowed
    for (StrategyOptions s : List.of(CONTRASTIVE, GATED, ORACLE)) {
      unavailable(request(s).build(), "System 1 is down", "allow_degraded");
      degraded(generate(request(s).setAllowDegraded(true).build()), TokenProducer.TOKEN_PRODUCER_SYSTEM2, s.toString());
    }
    unavailable(request(SPECULATIVE).setSampling(SAMPLED).build(), "System 1 is down", "not the seed's tokens", "allow_degraded");
    Result sampled = generate(request(SPECULATIVE).setSampling(SAMPLED).setAllowDegraded(true).build());
    degraded(sampled, TokenProducer.TOKEN_PRODUCER_SYSTEM2, "sampled speculative");

    // the System 1 baseline is never answered by System 2
    unavailable(request(SYSTEM1_ONLY).build(), "System 1 is down");
    unavailable(request(SYSTEM1_ONLY).setAllowDegraded(true).build(), "System 1 is down");
  }

  @Test
  void system2KilledNothingFallsBackUnlessAllowedAndTheSystem2BaselineNever() throws Exception {
    start();
    Result system1Alone = generate(request(SYSTEM1_ONLY).build());
    system2.kill();

    for (StrategyOptions s : List.of(SPECULATIVE, CONTRASTIVE, GATED, ORACLE)) {
      unavailable(request(s).build(), "System 2 is down", "allow_degraded");
      Result r = generate(request(s).setAllowDegraded(true).build());
      degraded(r, TokenProducer.TOKEN_PRODUCER_SYSTEM1, s.toString());
      if (s == SPECULATIVE) assertArrayEquals(system1Alone.ids(), r.ids(), "System 1 alone, greedy");
    }
    // the System 2 baseline is never answered by System 1, allow_degraded or not
    unavailable(request(SYSTEM2_ONLY).build(), "System 2 is down");
    unavailable(request(SYSTEM2_ONLY).setAllowDegraded(true).build(), "System 2 is down");
    // System 1 alone needs no System 2
    Result r = generate(request(SYSTEM1_ONLY).build());
    assertArrayEquals(system1Alone.ids(), r.ids());
    assertTrue(r.summary().getDegraded().isEmpty());
  }
}
