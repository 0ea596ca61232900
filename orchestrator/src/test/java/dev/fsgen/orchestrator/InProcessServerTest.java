package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.Speculative;
import dev.fsgen.grpc.ClientSecurity;
import dev.fsgen.grpc.ServerSecurity;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.model.v1.NextTokenRequest;
import dev.fsgen.proto.model.v1.NextTokenResponse;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servers' builders on the in-process transport: the same services, and the interceptors that
 * every transport shares (bearer tokens, the orchestrator's deadline margin), as on sockets.
 */
class InProcessServerTest {
  private static final String TOKEN = "in-process-token";
  /** Far above the deadlines below: a call arrives with less than the margin left, and is answered at once. */
  private static final int MARGIN_MS = 5_000;
  @TempDir static Path dir;
  static ModelServer system1;
  static ModelServer system2;
  static ModelServer system1InProcess;
  static OrchestratorServer orchestrator;
  static final List<ManagedChannel> channels = new ArrayList<>();
  static String system1Name;
  static String orchestratorName;

  @BeforeAll
  static void start() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + "\n");
    ServerSecurity bearer = new ServerSecurity(null, null, null, tokens);
    system1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).listen("127.0.0.1", 0);
    system2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).listen("127.0.0.1", 0);
    system1Name = InProcessServerBuilder.generateName();
    system1InProcess = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1"))
        .security(bearer).start(InProcessServerBuilder.forName(system1Name));
    orchestratorName = InProcessServerBuilder.generateName();
    OrchestratorLimits limits = new OrchestratorLimits(4096, 4096, 16, 64, 4 << 20, 128, Speculative.DEFAULT_GAMMA,
        MARGIN_MS);
    orchestrator = OrchestratorServer.pairing("127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port()).limits(limits)
        .waitFor(Duration.ofSeconds(30)).security(bearer).start(InProcessServerBuilder.forName(orchestratorName));
  }

  @AfterAll
  static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (orchestrator != null) orchestrator.close();
    for (ModelServer s : new ModelServer[] {system1InProcess, system2, system1}) if (s != null) s.close();
  }

  private static Channel channel(String name, String token) {
    InProcessChannelBuilder b = InProcessChannelBuilder.forName(name);
    if (token != null) b.intercept(new ClientSecurity(null, null, null, token).tokenInterceptor());
    ManagedChannel c = b.build();
    channels.add(c);
    return c;
  }

  @Test
  void aModelServiceInProcessAnswersAsOnASocket() {
    NextTokenRequest next = NextTokenRequest.newBuilder().setSessionId("in-process").addPrefix(11).addPrefix(42).addPrefix(7)
        .setTopK(5).build();
    ManagedChannel socket = NettyChannelBuilder.forAddress("127.0.0.1", system1.port()).usePlaintext().build();
    channels.add(socket);
    NextTokenResponse want = ModelServiceGrpc.newBlockingStub(socket).nextToken(next);
    NextTokenResponse got = ModelServiceGrpc.newBlockingStub(channel(system1Name, TOKEN)).nextToken(next);
    assertEquals(5, got.getScoresCount(), got.toString());
    assertEquals(want, got);
    assertEquals(-1, system1InProcess.port(), "no socket is bound");
  }

  @Test
  void tokensAreAskedInProcessTooButNotByHealth() {
    NextTokenRequest next = NextTokenRequest.newBuilder().setSessionId("no-token").addPrefix(11).build();
    for (String token : new String[] {null, "wrong-token"}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> ModelServiceGrpc.newBlockingStub(channel(system1Name, token)).nextToken(next), "token " + token);
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getStatus().toString());
      e = assertThrows(StatusRuntimeException.class,
          () -> generate(channel(orchestratorName, token), GenerateRequest.newBuilder().setText("The city").setMaxTokens(2).build(), 30));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getStatus().toString());
    }
    for (String name : new String[] {system1Name, orchestratorName}) {
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(channel(name, null)).check(HealthCheckRequest.getDefaultInstance()).getStatus(), name);
    }
  }

  @Test
  void theOrchestratorInProcessGeneratesAndKeepsItsDeadlineMargin() {
    GenerateRequest r = GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(6).setIgnoreEos(true).build();
    List<GenerateResponse> events = generate(channel(orchestratorName, TOKEN), r, 60);
    assertEquals(6, events.stream().filter(GenerateResponse::hasTokens).mapToInt(e -> e.getTokens().getTokensCount()).sum(), events.toString());
    assertTrue(events.get(events.size() - 1).hasSummary(), events.toString());
    // a deadline shorter than the margin: the orchestrator answers at once, before the client's own timer
    long t0 = System.nanoTime();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> generate(channel(orchestratorName, TOKEN), r, 2));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains("deadline passed"), "the orchestrator's own status: " + e.getStatus());
    assertTrue((System.nanoTime() - t0) / 1e9 < 1.5, "answered before the 2 s deadline");
  }

  private static List<GenerateResponse> generate(Channel c, GenerateRequest r, int deadlineSeconds) {
    List<GenerateResponse> events = new ArrayList<>();
    Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(c).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS).generate(r);
    while (it.hasNext()) events.add(it.next());
    return events;
  }
}
