package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the King James Bible as printed by {@code bible -l0} (Debian {@code bible-kjv}): a heading
 * line per chapter ({@code Genesis 1}, {@code 1 Samuel 3}) and an indented line per verse
 * ({@code   20 He which testifieth ...}).
 */
public final class KjvBible {
  private static final Pattern HEADING = Pattern.compile("^(\\S.*?) (\\d+)\\s*$");
  private static final Pattern VERSE = Pattern.compile("^\\s+(\\d+) (.*?)\\s*$");

  /**
   * One chapter with its verse numbers dropped.
   *
   * @param book the book's name, e.g. {@code Song of Solomon}
   * @param chapter the chapter number within the book
   * @param text the verses joined by single spaces
   */
  public record KjvChapter(String book, int chapter, String text) {
    /** {@code Book N}, unique across the Bible. */
    public String id() {
      return book + " " + chapter;
    }
  }

  private KjvBible() {}

  /** @throws MissingDataException when the file is missing */
  public static List<KjvChapter> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new MissingDataException("King James Bible text", file);
    List<KjvChapter> chapters = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    if (chapters.isEmpty()) throw new IOException("no chapters found in " + file + " (expected 'Book N' heading lines)");
    return chapters;
  }

  public static List<KjvChapter> parse(List<String> lines) throws IOException {
    List<KjvChapter> chapters = new ArrayList<>();
    String book = null;
    int chapter = 0;
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) continue;
      Matcher verse = VERSE.matcher(line);
      if (verse.matches()) {
        if (book == null) throw new IOException("line " + (i + 1) + ": verse before any chapter heading: " + line);
        if (text.length() > 0) text.append(' ');
        text.append(verse.group(2));
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        if (book != null) chapters.add(new KjvChapter(book, chapter, text.toString()));
        book = heading.group(1);
        chapter = Integer.parseInt(heading.group(2));
        text.setLength(0);
      } else if (Character.isWhitespace(line.charAt(0)) && book != null) {
        // a wrapped verse (output printed with a line width) continues the previous one
        text.append(' ').append(line.strip());
      } else {
        throw new IOException("line " + (i + 1) + ": neither a chapter heading nor a verse: " + line);
      }
    }
    if (book != null) chapters.add(new KjvChapter(book, chapter, text.toString()));
    return chapters;
  }
}
