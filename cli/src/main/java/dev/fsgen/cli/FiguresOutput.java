package dev.fsgen.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * Where a measuring command's figures go: a table on stdout, or JSON under {@code --json}; JSON to
 * a file ({@code --out}) and the table to a file ({@code --table-out}) if asked.
 */
final class FiguresOutput extends ResultOutput {
  @Option(names = "--table-out", paramLabel = "FILE", description = "Also write the table to this file (how docs/figures is written).")
  Path tableOut;

  void emit(Supplier<String> figures, String table) throws IOException {
    if (!json) System.out.print(table); // first: a figure that fails to serialise must not lose the table
    if (tableOut != null) writeFile(tableOut, table);
    write(figures);
  }
}
