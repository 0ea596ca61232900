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

  void emit(String figuresJson, String table) throws IOException {
    if (out != null) {
      if (out.getParent() != null) Files.createDirectories(out.getParent());
      Files.writeString(out, figuresJson + "\n");
    }
    if (tableOut != null) {
      if (tableOut.getParent() != null) Files.createDirectories(tableOut.getParent());
      Files.writeString(tableOut, table);
    }
    System.out.print(json ? figuresJson + "\n" : table);
  }
}
