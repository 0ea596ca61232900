package dev.fsgen.orchestrator;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.model.v1.ModelServiceGrpc;
import dev.fsgen.service.HostLimits;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import dev.fsgen.proto.model.v1.TokenIds;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The real thing: System 1 and System 2 as gRPC servers on loopback sockets, the orchestrator
 * over them served in-process to the tests' calls (or on a socket: {@link #onSockets}).
 */
final class LiveServices implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));
  final ModelServer system1;
  final ModelServer system2;
  final OrchestratorServer orchestrator;
  final ManagedChannel channel;
  final ManagedChannel channel1;
  final ManagedChannel channel2;
  /** The served tokenizer, for prompts given as token ids. */
  final TextTokenizer tokenizer;

  LiveServices(HostLimits limits, OrchestratorLimits orchestratorLimits) {
    this(Map.of("default", ROOT.resolve("models/system1")), limits, orchestratorLimits);
  }

  /** @param system1Models what System 1 hosts, by name ("default" among them) */
  LiveServices(Map<String, Path> system1Models, HostLimits limits, OrchestratorLimits orchestratorLimits) {
    this(system1Models, ROOT.resolve("models/system2"), limits, orchestratorLimits);
  }

  /** The bundled System 1 beside {@code system2Model} (a copy of the bundled one with other files beside it). */
  LiveServices(Path system2Model) {
    this(Map.of("default", ROOT.resolve("models/system1")), system2Model, HostLimits.DEFAULT, OrchestratorLimits.DEFAULT);
  }

  /** @param system2Model the model directory System 2 serves */
  LiveServices(Map<String, Path> system1Models, Path system2Model, HostLimits limits, OrchestratorLimits orchestratorLimits) {
    this(system1Models, system2Model, limits, orchestratorLimits, true, b -> b);
  }

  /**
   * System 2 serving {@code system2Model}, the orchestrator set up further by {@code configure}
   * (its HTTP API, bearer tokens, a metrics port).
   */
  static LiveServices configured(Path system2Model, java.util.function.UnaryOperator<OrchestratorServer.Builder> configure) {
    return new LiveServices(Map.of("default", ROOT.resolve("models/system1")), system2Model, HostLimits.DEFAULT,
        OrchestratorLimits.DEFAULT, true, configure);
  }

  /**
   * The orchestrator on a loopback socket too: for tests of what only a socket enforces (the
   * message size limit, which the in-process transport does not check).
   */
  static LiveServices onSockets(Map<String, Path> system1Models, Path system2Model, HostLimits limits,
      OrchestratorLimits orchestratorLimits) {
    return new LiveServices(system1Models, system2Model, limits, orchestratorLimits, false, b -> b);
  }

  /**
   * A copy of the bundled System 2 in {@code tmp/name} without its tokenizer_config.json: the same
   * model and tokenizer with no chat template, for a test to serve as it is or to give a template of
   * its own.
   */
  static Path system2WithoutTokenizerConfig(Path tmp, String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(ROOT.resolve("models/system2"))) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("tokenizer_config.json")) Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  private LiveServices(Map<String, Path> system1Models, Path system2Model, HostLimits limits, OrchestratorLimits orchestratorLimits,
      boolean inProcess, java.util.function.UnaryOperator<OrchestratorServer.Builder> configure) {
    system1 = ModelServer.of(ServiceRole.SYSTEM1).models(system1Models).limits(limits).listen("127.0.0.1", 0);
    system2 = ModelServer.of(ServiceRole.SYSTEM2).model(system2Model).limits(limits).listen("127.0.0.1", 0);
    // the orchestrator reaches the model services over sockets, as deployed; its own callers here
    // test what it answers, which no socket changes, so they call it in-process
    OrchestratorServer.Builder pair = OrchestratorServer.pairing("127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port())
        .limits(orchestratorLimits).waitFor(Duration.ofSeconds(30));
    pair = configure.apply(pair);
    if (inProcess) {
      String name = InProcessServerBuilder.generateName();
      orchestrator = pair.start(InProcessServerBuilder.forName(name));
      channel = InProcessChannelBuilder.forName(name).build();
    } else {
      orchestrator = pair.listen("127.0.0.1", 0);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
    }
    channel1 = NettyChannelBuilder.forAddress("127.0.0.1", system1.port()).usePlaintext().maxInboundMessageSize(64 << 20).build();
    channel2 = NettyChannelBuilder.forAddress("127.0.0.1", system2.port()).usePlaintext().maxInboundMessageSize(64 << 20).build();
    tokenizer = TextTokenizer.load(system2Model);
  }

  /** A request for {@code maxTokens} tokens after the prompt's token ids, past end-of-text. */
  GenerateRequest.Builder request(String prompt, int maxTokens) {
    return GenerateRequest.newBuilder().setTokens(TokenIds.newBuilder().addAllIds(
        Arrays.stream(tokenizer.encode(prompt)).boxed().toList())).setMaxTokens(maxTokens).setIgnoreEos(true);
  }

  LiveServices() {
    this(HostLimits.DEFAULT, OrchestratorLimits.DEFAULT);
  }

  OrchestratorServiceGrpc.OrchestratorServiceBlockingStub orchestrator() {
    return OrchestratorServiceGrpc.newBlockingStub(channel);
  }

  ModelServiceGrpc.ModelServiceBlockingStub system1Stub() {
    return ModelServiceGrpc.newBlockingStub(channel1);
  }

  ModelServiceGrpc.ModelServiceBlockingStub system2Stub() {
    return ModelServiceGrpc.newBlockingStub(channel2);
  }

  /** All events of one generation. */
  List<GenerateResponse> generate(GenerateRequest r) {
    List<GenerateResponse> events = new ArrayList<>();
    for (Iterator<GenerateResponse> it = orchestrator().generate(r); it.hasNext(); ) events.add(it.next());
    return events;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    channel1.shutdownNow();
    channel2.shutdownNow();
    orchestrator.close();
    system1.close();
    system2.close();
    tokenizer.close();
  }
}
