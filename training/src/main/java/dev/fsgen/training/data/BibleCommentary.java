package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Bible commentaries as {@code scripts/fetch-data.sh} writes them from Debian's SWORD
 * modules: one file a module, {@code <module>.txt}, one entry a line, {@code <Book C:V><TAB><text>}.
 */
public final class BibleCommentary {
  private static final Pattern REFERENCE = Pattern.compile("^(.+) (\\d+):(\\d+)$");
  /** SWORD numbers books with Roman ordinals ({@code II Kings}), the KJV text with digits ({@code 2 Kings}). */
  private static final Pattern ROMAN_ORDINAL = Pattern.compile("^(I{1,3}) ");

  /**
   * One commentary entry.
   *
   * @param module the file name without {@code .txt}, e.g. {@code tdavid}
   * @param reference the verse it is filed under, e.g. {@code Psalms 1:1}
   * @param id {@code module reference}, with {@code #n} added for the n-th entry (n ≥ 2) under the
   *     same verse, unique across the commentaries
   * @param text the entry
   */
  public record CommentaryEntry(String module, String reference, String id, String text) {
    /** The KJV chapter the entry is filed under, as {@link KjvBible.KjvChapter#id()} names it: {@code Psalms 1}. */
    public String chapter() {
      return kjvChapter(reference);
    }
  }

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
      if (reference.isEmpty() || text.isEmpty() || kjvChapter(reference) == null) {
        throw new IOException(source + " line " + (i + 1) + ": expected '<Book C:V><TAB><text>', got: " + abbreviate(line));
      }
      int n = perReference.merge(reference, 1, Integer::sum);
      String id = module + " " + reference + (n > 1 ? " #" + n : "");
      entries.add(new CommentaryEntry(module, reference, id, text));
    }
    if (entries.isEmpty()) throw new IOException(source + ": no commentary entries");
    return entries;
  }

  /**
   * The chapter ({@code Book C}) of a verse reference ({@code Book C:V}) in the KJV's book names, or
   * null when the reference is not of that form.
   */
  static String kjvChapter(String reference) {
    Matcher m = REFERENCE.matcher(reference);
    if (!m.matches()) return null;
    Matcher ordinal = ROMAN_ORDINAL.matcher(m.group(1));
    String book = ordinal.find() ? ordinal.group(1).length() + " " + m.group(1).substring(ordinal.end()) : m.group(1);
    return book + " " + Integer.parseInt(m.group(2));
  }

  /**
   * Each entry's split: the split of the KJV chapter it discusses, so that commentary on a held-out
   * chapter (which quotes that chapter's verses) is held out with it and never trains a model that
   * is then tested on the chapter.
   *
   * @param discussed the chapter ({@code Book C}) each entry discusses, by entry id ({@link QuotedChapters})
   * @param chapterSplit every KJV chapter's split, by {@code Book C}
   * @return entry id to split, in entry order
   * @throws IOException naming the entry when its chapter is not in the KJV
   */
  public static Map<String, Split> splitByChapter(List<CommentaryEntry> entries, Map<String, String> discussed,
      Map<String, Split> chapterSplit) throws IOException {
    Map<String, Split> splits = new LinkedHashMap<>();
    for (CommentaryEntry e : entries) {
      if (!chapterSplit.containsKey(e.chapter())) {
        throw new IOException("commentary/" + e.module() + ".txt: entry '" + e.id() + "' is filed under chapter '" + e.chapter()
            + "', which kjv.txt does not have");
      }
      Split split = chapterSplit.get(discussed.get(e.id()));
      if (split == null) throw new IllegalArgumentException("no KJV chapter '" + discussed.get(e.id()) + "' for entry '" + e.id() + "'");
      splits.put(e.id(), split);
    }
    return splits;
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }
}
