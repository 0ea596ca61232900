package dev.fsgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single user entry point behind {@code ./fsgen}. Each subcommand lives in its own class. */
@Command(
    name = "fsgen",
    mixinStandardHelpOptions = true,
    version = "fsgen 0.1.0",
    description = "Collaborative decoding between a small fast model (System 1) and a large slow one (System 2).",
    subcommands = {
      DataCommand.class,
      TrainCommand.class,
      DemoCommand.class,
      GenerateCommand.class,
      ServeCommand.class,
      LocalCommand.class,
      RouterCommand.class,
      EvalCommand.class,
      FamilyCommand.class,
      ConvertCommand.class,
      CostModelCommand.class,
      BenchCommand.class,
      StudyCommand.class,
      LaunchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The configured command line; a domain error becomes a one-line message and exit code 1, not a stack trace. */
  static CommandLine commandLine() {
    // `bench --only speculative,llamacpp` names parts that are also bench's subcommands: an option's value, not a command
    CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).setAllowSubcommandsAsOptionParameters(true);
    cli.setExecutionExceptionHandler(dev.fsgen.service.ModelServerOptions.oneLineErrors("fsgen"));
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
