package dev.fsgen.cli;

import dev.fsgen.orchestrator.OrchestratorMain;
import dev.fsgen.system1.System1Main;
import dev.fsgen.system2.System2Main;
import picocli.CommandLine.Command;

/** {@code fsgen serve system1|system2|orchestrator}: one service in the foreground until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run one fsgen service until it is stopped.",
        "Ctrl-C or SIGTERM shuts it down gracefully.",
        "Every option also reads an environment variable (see each service's --help)."},
    subcommands = {System1Main.class, System2Main.class, OrchestratorMain.class})
public final class ServeCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
