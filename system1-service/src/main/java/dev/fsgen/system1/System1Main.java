package dev.fsgen.system1;

import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ModelServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the System 1 service until it is stopped (SIGTERM drains it gracefully). */
@Command(name = "system1", mixinStandardHelpOptions = true,
    description = "Serve System 1 (the small, fast model): fsgen.model.v1.System1 with health and reflection.")
public final class System1Main implements Callable<Integer> {
  public static final int DEFAULT_PORT = 50051;

  @Mixin
  public ModelServerOptions options = new ModelServerOptions();

  @Override
  public Integer call() throws InterruptedException {
    Path root = Path.of(System.getProperty("fsgen.root", "."));
    ModelServer.named("system1", System1Service::new).start(options, DEFAULT_PORT, root.resolve("models/system1"))
        .serveUntilStopped("system1");
    return 0;
  }

  public static void main(String[] args) {
    System.exit(ModelServerOptions.commandLine(new System1Main(), "system1").execute(args));
  }
}
