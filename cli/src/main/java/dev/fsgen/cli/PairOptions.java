package dev.fsgen.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model pair a benchmark runs on: the bundled default unless named. */
final class PairOptions {
  @Option(names = "--system1-model", description = "Default: <root>/models/system1.")
  Path system1;

  @Option(names = "--system2-model", description = "Default: <root>/models/system2.")
  Path system2;

  Path system1() {
    return system1 != null ? system1 : Cli.root().resolve("models/system1");
  }

  Path system2() {
    return system2 != null ? system2 : Cli.root().resolve("models/system2");
  }
}
