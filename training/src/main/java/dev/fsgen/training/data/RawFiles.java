package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Lists the text files of a raw source directory, checked to be there. */
final class RawFiles {
  private RawFiles() {}

  /**
   * The {@code .txt} files of the directory, sorted by name so that every machine reads them in the
   * same order.
   *
   * @param what the source, named in the error, e.g. {@code State of the Union addresses}
   * @param example a file the directory should hold, named in the error when it holds none
   * @throws MissingDataException when the directory is missing or holds no {@code .txt} file
   */
  static List<Path> texts(Path dir, String what, String example) throws IOException {
    if (!Files.isDirectory(dir)) throw new MissingDataException(what + " directory", dir);
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".txt")).sorted().toList();
    }
    if (files.isEmpty()) throw new MissingDataException(what + " (no .txt file)", dir.resolve(example));
    return files;
  }

  /** Parses one file of a source: its name without {@code .txt}, its path (for errors) and its lines. */
  interface Parser<T> {
    List<T> parse(String stem, Path file, List<String> lines) throws IOException;
  }

  /** Every {@code .txt} file of the directory parsed, in file-name order, the results concatenated. */
  static <T> List<T> readAll(Path dir, String what, String example, Parser<T> parser) throws IOException {
    List<T> all = new ArrayList<>();
    for (Path file : texts(dir, what, example)) {
      String stem = file.getFileName().toString().replaceFirst("\\.txt$", "");
      all.addAll(parser.parse(stem, file, Files.readAllLines(file, StandardCharsets.UTF_8)));
    }
    return all;
  }
}
