package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Bible commentaries as {@code scripts/fetch-data.sh} writes them from Debian's SWORD
 * modules: one file a module, {@code <module>.txt}, one entry a line, {@code <Book C:V><TAB><text>}.
 */
public final class BibleCommentary {
  /**
   * One commentary entry.
   *
   * @param module the file name without {@code .txt}, e.g. {@code tdavid}
   * @param reference the verse it is filed under, e.g. {@code Psalms 1:1}
   * @param id {@code module reference}, with {@code #n} added for the n-th entry (n ≥ 2) under the
   *     same verse, unique across the commentaries
   * @param text the entry
   */
  public record CommentaryEntry(String module, String reference, String id, String text) {}

  private BibleCommentary() {}

  /**
   * Every entry of every module in the directory, modules in file-name order, entries in file order.
   *
   * @throws MissingDataException when the directory or its module files are missing
   */
  public static List<CommentaryEntry> read(Path dir) throws IOException {
    return RawFiles.readAll(dir, "Bible commentaries", "mhcc.txt", BibleCommentary::parse);
  }

  /**
   * The entries of one module's lines.
   *
   * @param source the file the lines come from, named in errors
   */
  public static List<CommentaryEntry> parse(String module, Path source, List<String> lines) throws IOException {
    List<CommentaryEntry> entries = new ArrayList<>();
    Map<String, Integer> perReference = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int tab = line.indexOf('\t');
      String reference = tab < 0 ? "" : line.substring(0, tab).strip();
      String text = tab < 0 ? "" : line.substring(tab + 1).strip();
      if (reference.isEmpty() || text.isEmpty()) {
        throw new IOException(source + " line " + (i + 1) + ": expected '<Book C:V><TAB><text>', got: " + abbreviate(line));
      }
      int n = perReference.merge(reference, 1, Integer::sum);
      String id = module + " " + reference + (n > 1 ? " #" + n : "");
      entries.add(new CommentaryEntry(module, reference, id, text));
    }
    if (entries.isEmpty()) throw new IOException(source + ": no commentary entries");
    return entries;
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }
}
