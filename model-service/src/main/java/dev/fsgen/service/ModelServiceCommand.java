package dev.fsgen.service;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A model service's command line, for one role: the System 1 and System 2 entry points are this
 * command with their role's name, description and defaults. It serves until stopped (SIGTERM
 * drains it gracefully).
 */
public abstract class ModelServiceCommand implements Callable<Integer> {
  @Mixin
  public ModelServerOptions options = new ModelServerOptions();
  private final ServiceRole role;

  protected ModelServiceCommand(ServiceRole role) {
    this.role = role;
  }

  @Override
  public Integer call() throws InterruptedException {
    Path root = Path.of(System.getProperty("fsgen.root", "."));
    ModelServer.of(role).start(options, root).serveUntilStopped(role.id);
    return 0;
  }

  /** Runs {@code command} on {@code args} and exits with its status. */
  protected static void main(ModelServiceCommand command, String[] args) {
    System.exit(ModelServerOptions.commandLine(command, command.role.id).execute(args));
  }
}
