package dev.fsgen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a benchmark's figures go: a table or JSON on stdout, and JSON to a file if asked. */
final class FiguresOutput {
  @Option(names = "--json", description = "Print all figures as one JSON object instead of a table.")
  boolean json;

  @Option(names = "--out", description = "Also write the figures as JSON to this file.")
  Path out;

  @Option(names = "--table-out", description = "Also write the table to this file (how docs/figures is written).")
  Path tableOut;

  void emit(java.util.function.Supplier<String> figures, String table) throws IOException {
    if (!json) System.out.print(table); // first: a figure that fails to serialise must not lose the table
    if (tableOut != null) {
      if (tableOut.getParent() != null) Files.createDirectories(tableOut.getParent());
      Files.writeString(tableOut, table);
    }
    String figuresJson = json || out != null ? figures.get() : null;
    if (out != null) {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      Files.writeString(out, figuresJson + "\n");
    }
    if (json) System.out.print(figuresJson + "\n");
  }
}
