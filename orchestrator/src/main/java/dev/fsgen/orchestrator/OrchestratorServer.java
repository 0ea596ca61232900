package dev.fsgen.orchestrator;

import dev.fsgen.grpc.GrpcServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The orchestrator as a running server: channels to both model services, the pair checked, then SERVING. */
public final class OrchestratorServer implements AutoCloseable {
  private final GrpcServer server;
  private final ManagedChannel channel1;
  private final ManagedChannel channel2;
  private final Pairing pairing;

  private OrchestratorServer(GrpcServer server, ManagedChannel channel1, ManagedChannel channel2, Pairing pairing) {
    this.server = server;
    this.channel1 = channel1;
    this.channel2 = channel2;
    this.pairing = pairing;
  }

  /**
   * @param system1 System 1's address, host:port
   * @param system2 System 2's address, host:port
   * @param wait how long to wait for the model services to come up
   */
  public static OrchestratorServer start(String host, int port, String system1, String system2, OrchestratorLimits limits,
      Duration wait) {
    return start(host, port, system1, system2, limits, wait, null);
  }

  /** @param learned the learned router that gated requests may ask for, or null */
  public static OrchestratorServer start(String host, int port, String system1, String system2, OrchestratorLimits limits,
      Duration wait, dev.fsgen.decoding.Router.Learned learned) {
    ManagedChannel c1 = channel(system1);
    ManagedChannel c2 = channel(system2);
    Pairing pairing = null;
    try {
      pairing = Pairing.connect(ModelClient.system1(c1), ModelClient.system2(c2), wait);
      OrchestratorService service = new OrchestratorService(pairing, limits, learned);
      GrpcServer server = GrpcServer.start("orchestrator", host, port, limits.maxMessageBytes(), List.of(service),
          List.of(service.bindService().getServiceDescriptor().getName()), false);
      server.serving();
      return new OrchestratorServer(server, c1, c2, pairing);
    } catch (RuntimeException e) {
      if (pairing != null) pairing.close();
      c1.shutdownNow();
      c2.shutdownNow();
      throw e;
    }
  }

  private static ManagedChannel channel(String target) {
    // model responses carry full distributions when sampling: allow them
    return NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(64 << 20).build();
  }

  public int port() {
    return server.port();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.close();
    pairing.close();
    for (ManagedChannel c : new ManagedChannel[] {channel1, channel2}) {
      c.shutdown();
      try {
        c.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      c.shutdownNow();
    }
  }
}
