package dev.fsgen.cli;

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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fsgen demo}: System 1, System 2 and the orchestrator as gRPC servers on loopback (real
 * sockets, free ports), one generation through them, then a clean shutdown.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start System 1, System 2 and the orchestrator on loopback and stream one generation through them",
        "(speculative decoding on the bundled default pair unless told otherwise)."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--system1-model", description = "System 1 model directory. Default: <root>/models/system1.")
  Path system1;

  @Option(names = "--system2-model", description = "System 2 model directory. Default: <root>/models/system2.")
  Path system2;

  @Option(names = "--system1-extra-model", description = "More models for System 1 to host, as name=DIR (repeatable): proxy tuning's tuned and base models.")
  java.util.List<String> system1Extra;

  @Option(names = "--router-file", description = "A learned router (from 'fsgen router') for --strategy gated --router learned.")
  Path routerFile;

  @Mixin
  GenerationOptions options = new GenerationOptions();

  @Option(names = "--warmup", defaultValue = "3", description = "Unshown generations first, so the figures are not those of cold code. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--verbose", description = "Show the services' own log lines.")
  boolean verbose;

  // held so that the level set below stays in force (loggers are only weakly referenced)
  private static final Logger SERVICES_LOG = Logger.getLogger("dev.fsgen");

  @Override
  public Integer call() throws InterruptedException {
    Path root = Cli.root();
    if (!verbose) SERVICES_LOG.setLevel(Level.WARNING); // the demo prints its own summary of the services
    long t0 = System.nanoTime();
    dev.fsgen.service.ModelServerOptions hosted = new dev.fsgen.service.ModelServerOptions();
    hosted.model = system1;
    hosted.extraModels = system1Extra;
    try (ModelServer s1 = ModelServer.start("system1", "127.0.0.1", 0, hosted.models(root.resolve("models/system1")),
            HostLimits.DEFAULT, System1Service::new);
         ModelServer s2 = ModelServer.start("system2", "127.0.0.1", 0, system2 != null ? system2 : root.resolve("models/system2"),
            HostLimits.DEFAULT, System2Service::new);
         OrchestratorServer orchestrator = OrchestratorServer.start("127.0.0.1", 0, "127.0.0.1:" + s1.port(),
            "127.0.0.1:" + s2.port(), OrchestratorLimits.DEFAULT, Duration.ofSeconds(30),
            routerFile == null ? null : dev.fsgen.orchestrator.RouterFile.read(routerFile))) {
      if (!options.json) {
        System.err.printf("demo: System 1 (%s, %.1f M parameters) on :%d, System 2 (%s, %.1f M) on :%d, orchestrator on :%d;"
                + " up in %.1f s%n", s1.host().info().getSource(), s1.host().info().getParameterCount() / 1e6, s1.port(),
            s2.host().info().getSource(), s2.host().info().getParameterCount() / 1e6, s2.port(), orchestrator.port(),
            (System.nanoTime() - t0) / 1e9);
      }
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", orchestrator.port()).usePlaintext().build();
      try {
        // until the JIT has compiled the decode path a token costs several times more
        var stub = dev.fsgen.proto.decoding.v1.OrchestratorGrpc.newBlockingStub(channel);
        var request = options.request().toBuilder().setMaxTokens(48).clearSessionId().build();
        for (int i = 0; i < warmup; i++) stub.generate(request).forEachRemaining(e -> {});
        return GenerationPrinter.run(channel, options);
      } finally {
        channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    }
  }
}
