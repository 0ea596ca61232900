package dev.fsgen.system2;

import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ModelServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the System 2 service until it is stopped (SIGTERM drains it gracefully). */
@Command(name = "system2", mixinStandardHelpOptions = true,
    description = "Serve System 2 (the large, slow model): fsgen.model.v1.System2 with health and reflection.")
public final class System2Main implements Callable<Integer> {
  public static final int DEFAULT_PORT = 50052;

  @Mixin
  public ModelServerOptions options = new ModelServerOptions();

  public static ModelServer start(ModelServerOptions o, Path root) {
    o.applyThreads();
    return ModelServer.start("system2", o.host, o.port != null ? o.port : DEFAULT_PORT, o.models(root.resolve("models/system2")),
        o.limits(), System2Service::new);
  }

  @Override
  public Integer call() throws InterruptedException {
    ModelServer server = start(options, Path.of(System.getProperty("fsgen.root", ".")));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "system2-shutdown"));
    System.err.println("system2: serving on port " + server.port());
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new System2Main()).execute(args));
  }
}
