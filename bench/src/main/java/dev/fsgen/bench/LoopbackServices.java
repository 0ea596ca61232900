package dev.fsgen.bench;

import dev.fsgen.decoding.Router;
import dev.fsgen.orchestrator.OrchestratorServer;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ServiceRole;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * System 1, System 2 and the orchestrator as gRPC servers on free loopback ports in this process
 * (real sockets), with a channel to the orchestrator: what the demo and the benchmarks run on.
 */
public final class LoopbackServices implements AutoCloseable {
  public final ModelServer system1;
  public final ModelServer system2;
  public final OrchestratorServer orchestrator;
  public final ManagedChannel channel;

  private LoopbackServices(ModelServer system1, ModelServer system2, OrchestratorServer orchestrator) {
    this.system1 = system1;
    this.system2 = system2;
    this.orchestrator = orchestrator;
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
  }

  /**
   * @param system1Models what System 1 hosts, by name ("default" among them)
   * @param learned the orchestrator's learned router, or null
   */
  public static LoopbackServices start(Map<String, Path> system1Models, Path system2Model, Router.Learned learned) {
    ModelServer s1 = ModelServer.of(ServiceRole.SYSTEM1).models(system1Models).listen("127.0.0.1", 0);
    ModelServer s2 = null;
    try {
      s2 = ModelServer.of(ServiceRole.SYSTEM2).model(system2Model).listen("127.0.0.1", 0);
      OrchestratorServer o = OrchestratorServer.pairing("127.0.0.1:" + s1.port(), "127.0.0.1:" + s2.port())
          .waitFor(Duration.ofSeconds(30)).learned(learned).listen("127.0.0.1", 0);
      return new LoopbackServices(s1, s2, o);
    } catch (RuntimeException e) {
      if (s2 != null) s2.close();
      s1.close();
      throw e;
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    orchestrator.close();
    system2.close();
    system1.close();
  }
}
