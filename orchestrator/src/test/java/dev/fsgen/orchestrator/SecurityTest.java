package dev.fsgen.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.grpc.ClientSecurity;
import dev.fsgen.grpc.ServerSecurity;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.model.v1.GetModelInfoRequest;
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
 * TLS everywhere: the model services require a client certificate from the deployment's CA
 * (mutual TLS), and the orchestrator's API requires TLS and a bearer token.
 */
class SecurityTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  static ModelServer system1;
  static ModelServer system2;
  static OrchestratorServer orchestrator;
  static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.create(dir);
    ServerSecurity mutual = new ServerSecurity(certs.cert("server"), certs.key("server"), certs.cert("ca"), null, 0);
    system1 = ModelServer.of(ServiceRole.SYSTEM1).model(LiveServices.ROOT.resolve("models/system1")).security(mutual)
        .listen("127.0.0.1", 0);
    system2 = ModelServer.of(ServiceRole.SYSTEM2).model(LiveServices.ROOT.resolve("models/system2")).security(mutual)
        .listen("127.0.0.1", 0);
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "first-token\n\ns3cret-token\n");
    orchestrator = OrchestratorServer.pairing("127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port()).waitFor(Duration.ofSeconds(30))
        .security(new ServerSecurity(certs.cert("server"), certs.key("server"), null, tokens))
        .upstream(new ClientSecurity(certs.cert("ca"), certs.cert("client"), certs.key("client"), null)).listen("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (orchestrator != null) orchestrator.close();
    if (system1 != null) system1.close();
    if (system2 != null) system2.close();
  }

  private static ManagedChannel channel(int port, ClientSecurity security) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port, security.credentials());
    if (security.tokenInterceptor() != null) b.intercept(security.tokenInterceptor());
    ManagedChannel c = b.build();
    channels.add(c);
    return c;
  }

  private static int generate(ManagedChannel c) {
    int tokens = 0;
    GenerateRequest r = GenerateRequest.newBuilder().setText("The history of the city").setMaxTokens(6).setIgnoreEos(true).build();
    for (Iterator<GenerateResponse> it = OrchestratorServiceGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS).generate(r); it.hasNext(); ) {
      GenerateResponse e = it.next();
      if (e.hasTokens()) tokens += e.getTokens().getTokensCount();
    }
    return tokens;
  }

  @Test
  void aClientWithTheCaAndATokenGeneratesOverTls() {
    assertEquals(6, generate(channel(orchestrator.port(), new ClientSecurity(certs.cert("ca"), null, null, "s3cret-token"))));
    assertEquals(6, generate(channel(orchestrator.port(), new ClientSecurity(certs.cert("ca"), null, null, "first-token"))));
  }

  @Test
  void noTokenOrAWrongOneIsUnauthenticatedButHealthIsOpen() {
    for (String token : new String[] {null, "s3cret", "s3cret-token-and-more", ""}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> generate(channel(orchestrator.port(), new ClientSecurity(certs.cert("ca"), null, null, token))), "token " + token);
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "token " + token);
      assertEquals("UNAUTHENTICATED", ErrorVocabularyTest.reason(e), "token " + token);
    }
    HealthCheckResponse h = HealthGrpc.newBlockingStub(channel(orchestrator.port(), new ClientSecurity(certs.cert("ca"), null, null, null)))
        .check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
  }

  @Test
  void aPlaintextClientGetsNowhere() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> generate(channel(orchestrator.port(), new ClientSecurity(null, null, null, "s3cret-token"))));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void aModelServiceRefusesPeersWithoutTheDeploymentsClientCertificate() {
    // TLS but no client certificate, and a certificate from another CA: both refused in the handshake
    for (ClientSecurity peer : new ClientSecurity[] {new ClientSecurity(certs.cert("ca"), null, null, null),
        new ClientSecurity(certs.cert("ca"), certs.cert("intruder"), certs.key("intruder"), null)}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ModelServiceGrpc.newBlockingStub(channel(system2.port(), peer))
          .withDeadlineAfter(10, TimeUnit.SECONDS).getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo());
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    }
    // Kubernetes' gRPC probes cannot speak TLS: the plaintext probe port answers health, and nothing else
    ManagedChannel probe = channel(system2.probePort(), ClientSecurity.NONE);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(probe).check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertEquals(Status.Code.UNIMPLEMENTED, assertThrows(StatusRuntimeException.class,
        () -> ModelServiceGrpc.newBlockingStub(probe).getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo()).getStatus().getCode());
    // the deployment's client certificate gets in
    assertTrue(ModelServiceGrpc.newBlockingStub(channel(system2.port(), new ClientSecurity(certs.cert("ca"), certs.cert("client"), certs.key("client"), null)))
        .getModelInfo(GetModelInfoRequest.getDefaultInstance()).getInfo().getParameterCount() > 0);
  }
}
