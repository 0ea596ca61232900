package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model service goes down: the generation goes on with the other one, marked degraded, or fails saying what is down. */
class DegradedModesTest {
  private static final int TOKENS = 40;
  private ModelServer system1;
  private ModelServer system2;
  private OrchestratorServer orchestrator;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    system1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
    system2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
    ReplicaOptions quick = new ReplicaOptions(Duration.ofSeconds(10), 2, Duration.ofMillis(20), 50, 10, Duration.ofSeconds(5), 256,
        Duration.ofMillis(100), 0.25, Duration.ofMinutes(10));
    orchestrator = OrchestratorServer.pairing("127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port()).waitFor(Duration.ofSeconds(30)).replicas(quick)
        .listen("127.0.0.1", 0);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    orchestrator.close();
    system1.close();
    system2.close();
  }

  private static GenerateRequest.Builder request(StrategyOptions s) {
    return GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(TOKENS).setIgnoreEos(true).setStrategy(s);
  }

  private static StrategyOptions speculative() {
    return StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setGamma(4)).build();
  }

  /** Runs a generation; {@code afterTokens} runs once when that many tokens have arrived (-1: never). */
  private List<GenerateResponse> generate(GenerateRequest r, int afterTokens, Runnable action) {
    List<GenerateResponse> events = new ArrayList<>();
    int seen = 0;
    boolean done = afterTokens < 0;
    for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(channel).generate(r); it.hasNext(); ) {
      GenerateResponse e = it.next();
      events.add(e);
      if (e.hasTokens()) seen += e.getTokens().getTokensCount();
      if (!done && seen >= afterTokens) {
        action.run();
        done = true;
      }
    }
    return events;
  }

  private static List<Token> tokens(List<GenerateResponse> events) {
    List<Token> out = new ArrayList<>();
    for (GenerateResponse e : events) if (e.hasTokens()) out.addAll(e.getTokens().getTokensList());
    return out;
  }

  private static Summary summary(List<GenerateResponse> events) {
    return events.get(events.size() - 1).getSummary();
  }

  private static List<Integer> ids(List<Token> tokens) {
    return tokens.stream().map(Token::getId).toList();
  }

  @Test
  void system1DownMidStreamSystem2FinishesTokenForToken() {
    List<Integer> alone = ids(tokens(generate(request(StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build()).build(), -1, null)));
    List<GenerateResponse> events = generate(request(speculative()).build(), 8, system1::close);
    List<Token> tokens = tokens(events);
    assertEquals(alone, ids(tokens), "lossless: System 2's own greedy output");
    assertFalse(tokens.get(0).getDegraded(), "tokens before the failure are not degraded");
    assertTrue(tokens.get(TOKENS - 1).getDegraded(), "tokens after it are");
    int firstDegraded = 0;
    while (!tokens.get(firstDegraded).getDegraded()) firstDegraded++;
    for (Token t : tokens.subList(firstDegraded, TOKENS)) {
      assertTrue(t.getDegraded());
      assertEquals(TokenProducer.TOKEN_PRODUCER_SYSTEM2, t.getProducer());
    }
    Summary s = summary(events);
    assertEquals(TOKENS, s.getTokens());
    assertTrue(s.getDegraded().startsWith("System 1 went down after " + firstDegraded + " tokens; System 2 alone"), s.getDegraded());
  }

  @Test
  void system2DownFailsUnlessDegradedOutputIsAllowed() {
    List<Integer> system1Alone = ids(tokens(generate(request(StrategyOptions.newBuilder().setSystem1Only(SingleModelOptions.getDefaultInstance()).build()).build(), -1, null)));
    system2.close();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> generate(request(speculative()).build(), -1, null));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("System 2 is down") && e.getStatus().getDescription().contains("allow_degraded"),
        e.getStatus().getDescription());

    List<GenerateResponse> events = generate(request(speculative()).setAllowDegraded(true).build(), -1, null);
    List<Token> tokens = tokens(events);
    assertEquals(system1Alone, ids(tokens), "System 1 alone, greedy");
    for (Token t : tokens) {
      assertTrue(t.getDegraded());
      assertEquals(TokenProducer.TOKEN_PRODUCER_SYSTEM1, t.getProducer());
    }
    assertTrue(summary(events).getDegraded().startsWith("System 2 went down after 0 tokens; System 1 alone"), summary(events).getDegraded());
  }

  @Test
  void bothDownIsUnavailableNamingWhatIsDown() {
    system1.close();
    system2.close();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> generate(request(speculative()).setAllowDegraded(true).build(), -1, null));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("System 2 is down"), e.getStatus().getDescription());
  }
}
