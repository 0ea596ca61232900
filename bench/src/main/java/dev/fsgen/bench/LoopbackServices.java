package dev.fsgen.bench;

import dev.fsgen.decoding.Router;
import dev.fsgen.orchestrator.OrchestratorLimits;
import dev.fsgen.orchestrator.OrchestratorServer;
import dev.fsgen.service.HostLimits;
import dev.fsgen.service.ModelServer;
import dev.fsgen.system1.System1Service;
import dev.fsgen.system2.System2Service;
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
    ModelServer s1 = ModelServer.start("system1", "127.0.0.1", 0, system1Models, HostLimits.DEFAULT, System1Service::new);
    ModelServer s2 = null;
    try {
      s2 = ModelServer.start("system2", "127.0.0.1", 0, system2Model, HostLimits.DEFAULT, System2Service::new);
      OrchestratorServer o = OrchestratorServer.start("127.0.0.1", 0, "127.0.0.1:" + s1.port(), "127.0.0.1:" + s2.port(),
          OrchestratorLimits.DEFAULT, Duration.ofSeconds(30), learned);
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
