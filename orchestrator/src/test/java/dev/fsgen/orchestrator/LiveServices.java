package dev.fsgen.orchestrator;

import dev.fsgen.proto.decoding.v1.GenerateEvent;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.OrchestratorGrpc;
import dev.fsgen.proto.model.v1.System1Grpc;
import dev.fsgen.proto.model.v1.System2Grpc;
import dev.fsgen.service.HostLimits;
import dev.fsgen.service.ModelServer;
import dev.fsgen.system1.System1Service;
import dev.fsgen.system2.System2Service;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import dev.fsgen.proto.model.v1.TokenIds;
import dev.fsgen.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The real thing on loopback: System 1, System 2 and the orchestrator as gRPC servers over sockets. */
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
    system1 = ModelServer.start("system1", "127.0.0.1", 0, system1Models, limits, System1Service::new);
    system2 = ModelServer.start("system2", "127.0.0.1", 0, system2Model, limits, System2Service::new);
    orchestrator = OrchestratorServer.start("127.0.0.1", 0, "127.0.0.1:" + system1.port(), "127.0.0.1:" + system2.port(),
        orchestratorLimits, Duration.ofSeconds(30));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
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

  OrchestratorGrpc.OrchestratorBlockingStub orchestrator() {
    return OrchestratorGrpc.newBlockingStub(channel);
  }

  System1Grpc.System1BlockingStub system1Stub() {
    return System1Grpc.newBlockingStub(channel1);
  }

  System2Grpc.System2BlockingStub system2Stub() {
    return System2Grpc.newBlockingStub(channel2);
  }

  /** All events of one generation. */
  List<GenerateEvent> generate(GenerateRequest r) {
    List<GenerateEvent> events = new ArrayList<>();
    for (Iterator<GenerateEvent> it = orchestrator().generate(r); it.hasNext(); ) events.add(it.next());
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
