package dev.fsgen.system2;

import dev.fsgen.service.ModelServer;
import dev.fsgen.service.ModelServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the System 2 service until it is stopped (SIGTERM drains it gracefully). */
@Command(name = "system2", mixinStandardHelpOptions = true,
    description = "Serve System 2 (the large, slow model): fsgen.model.v1.System2 with health and reflection.")
public final class System2Main implements Callable<Integer> {
  public static final int DEFAULT_PORT = 50052;

  @Mixin
  public ModelServerOptions options = new ModelServerOptions();

  @Override
  public Integer call() throws InterruptedException {
    Path root = Path.of(System.getProperty("fsgen.root", "."));
    ModelServer.named("system2", System2Service::new).start(options, DEFAULT_PORT, root.resolve("models/system2"))
        .serveUntilStopped("system2");
    return 0;
  }

  public static void main(String[] args) {
    System.exit(ModelServerOptions.commandLine(new System2Main(), "system2").execute(args));
  }
}
