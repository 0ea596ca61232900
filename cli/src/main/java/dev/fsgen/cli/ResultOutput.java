package dev.fsgen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * Where a command's result goes as one JSON object: stdout ({@code --json}, with progress and logs
 * on stderr, so the output parses as it is) and a file ({@code --out FILE}). Every command that
 * measures takes both; one whose {@code --out} already names what it makes (a model, the data,
 * the router) takes only {@code --json}.
 */
class ResultOutput {
  @Option(names = "--json", description = "Print the result as one JSON object on stdout (progress and logs go to stderr).")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "Also write the result as JSON to this file.")
  Path out;

  /** Writes the result where asked; returns whether it went to stdout (the caller prints its own text otherwise). */
  boolean write(Supplier<String> result) throws IOException {
    if (!json && out == null) return false;
    String document = result.get() + "\n";
    if (out != null) writeFile(out, document);
    if (json) System.out.print(document);
    return json;
  }

  static void writeFile(Path file, String text) throws IOException {
    if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text);
  }
}
