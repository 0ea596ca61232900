package dev.fsgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fsgen bench}: the benchmarks, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure the runtime and the decoding methods; figures go to stdout (tables, or --json).",
    subcommands = {BenchRuntimeCommand.class, BenchSpeculativeCommand.class, BenchConcurrencyCommand.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
