package dev.fsgen.system1;

import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ModelServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the System 1 service until it is stopped (SIGTERM drains it gracefully). */
@Command(name = "system1", mixinStandardHelpOptions = true,
    description = "Serve System 1 (the small, fast model): fsgen.model.v1.System1 with health and reflection.")
public final class System1Main implements Callable<Integer> {
  public static final int DEFAULT_PORT = 50051;

  @Mixin
  public ModelServerOptions options = new ModelServerOptions();

  public static ModelServer start(ModelServerOptions o, Path root) {
    o.applyThreads();
    return ModelServer.start("system1", o.host, o.port != null ? o.port : DEFAULT_PORT, o.models(root.resolve("models/system1")),
        o.limits(), System1Service::new);
  }

  @Override
  public Integer call() throws InterruptedException {
    ModelServer server = start(options, Path.of(System.getProperty("fsgen.root", ".")));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "system1-shutdown"));
    System.err.println("system1: serving on port " + server.port());
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new System1Main()).execute(args));
  }
}
