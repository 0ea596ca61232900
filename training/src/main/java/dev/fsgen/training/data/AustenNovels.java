package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads Jane Austen's novels as {@code scripts/fetch-data.sh} writes them from the R package
 * janeaustenr: one file a novel, {@code <slug>.txt}, wrapped prose with blank lines between
 * paragraphs and a {@code CHAPTER N} (or {@code Chapter N}) line before each chapter. The title
 * page before the first chapter, {@code VOLUME} lines and the closing {@code THE END} are dropped.
 */
public final class AustenNovels {
  private static final Pattern CHAPTER = Pattern.compile("(?i)chapter [0-9ivxlc]+\\.?");
  private static final Pattern DROPPED = Pattern.compile("(?i)volume [ivx0-9]+\\.?|the end|finis");

  /**
   * One chapter.
   *
   * @param book the novel's file name without {@code .txt}, e.g. {@code emma}
   * @param chapter the chapter's position in the novel, from 1 (volumes restart their numbering,
   *     so the printed number is not unique)
   * @param paragraphs the paragraphs, each one line with whitespace runs collapsed
   */
  public record AustenChapter(String book, int chapter, List<String> paragraphs) {
    public AustenChapter {
      paragraphs = List.copyOf(paragraphs);
    }

    /** {@code book N}, unique across the novels. */
    public String id() {
      return book + " " + chapter;
    }
  }

  private AustenNovels() {}

  /**
   * The chapters of every novel in the directory, novels in file-name order.
   *
   * @throws MissingDataException when the directory or its novels are missing
   */
  public static List<AustenChapter> read(Path dir) throws IOException {
    return RawFiles.readAll(dir, "Jane Austen novels", "emma.txt", (book, file, lines) -> {
      List<AustenChapter> chapters = parse(book, lines);
      if (chapters.isEmpty()) throw new IOException(file + ": no chapters found (expected 'CHAPTER N' heading lines)");
      return chapters;
    });
  }

  /** The chapters of one novel's lines. */
  public static List<AustenChapter> parse(String book, List<String> lines) {
    List<AustenChapter> chapters = new ArrayList<>();
    List<String> paragraphs = null; // null until the first chapter heading: the title page is not text
    StringBuilder paragraph = new StringBuilder();
    for (String raw : lines) {
      String line = raw.strip();
      boolean heading = CHAPTER.matcher(line).matches();
      if (line.isEmpty() || heading || DROPPED.matcher(line).matches()) {
        if (paragraphs != null && paragraph.length() > 0) paragraphs.add(paragraph.toString());
        paragraph.setLength(0);
        if (heading) {
          if (paragraphs != null) chapters.add(new AustenChapter(book, chapters.size() + 1, paragraphs));
          paragraphs = new ArrayList<>();
        }
        continue;
      }
      if (paragraph.length() > 0) paragraph.append(' ');
      paragraph.append(line.replaceAll("\\s+", " "));
    }
    if (paragraphs != null) {
      if (paragraph.length() > 0) paragraphs.add(paragraph.toString());
      chapters.add(new AustenChapter(book, chapters.size() + 1, paragraphs));
    }
    return chapters;
  }
}
