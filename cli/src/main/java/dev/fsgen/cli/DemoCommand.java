package dev.fsgen.cli;

import dev.fsgen.bench.LoopbackServices;
import dev.fsgen.orchestrator.RouterFile;
import dev.fsgen.proto.decoding.v1.OrchestratorGrpc;
import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ModelServerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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
  List<String> system1Extra;

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
  public Integer call() {
    Path root = Cli.root();
    if (!verbose) SERVICES_LOG.setLevel(Level.WARNING); // the demo prints its own summary of the services
    long t0 = System.nanoTime();
    ModelServerOptions hosted = new ModelServerOptions();
    hosted.model = system1;
    hosted.extraModels = system1Extra;
    try (LoopbackServices services = LoopbackServices.start(hosted.models(root.resolve("models/system1")),
        system2 != null ? system2 : root.resolve("models/system2"), routerFile == null ? null : RouterFile.read(routerFile))) {
      ModelServer s1 = services.system1;
      ModelServer s2 = services.system2;
      if (!options.json) {
        System.err.printf("demo: System 1 (%s, %.1f M parameters) on :%d, System 2 (%s, %.1f M) on :%d, orchestrator on :%d;"
                + " up in %.1f s%n", s1.host().info().getSource(), s1.host().info().getParameterCount() / 1e6, s1.port(),
            s2.host().info().getSource(), s2.host().info().getParameterCount() / 1e6, s2.port(), services.orchestrator.port(),
            (System.nanoTime() - t0) / 1e9);
      }
      // until the JIT has compiled the decode path a token costs several times more
      var stub = OrchestratorGrpc.newBlockingStub(services.channel);
      var request = options.request().toBuilder().setMaxTokens(48).clearSessionId().build();
      for (int i = 0; i < warmup; i++) stub.generate(request).forEachRemaining(e -> {});
      return GenerationPrinter.run(services.channel, options);
    }
  }
}
