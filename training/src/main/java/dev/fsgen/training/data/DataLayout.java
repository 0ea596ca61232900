package dev.fsgen.training.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where prepared data lives under one directory (by default {@code <root>/data}):
 * {@code <domain>/<split>.txt}, {@code manifest.json}, {@code tokenizer/tokenizer.json}, and the raw
 * download under {@code raw/}.
 */
public record DataLayout(Path dir) {
  public DataLayout {
    dir = dir.toAbsolutePath().normalize();
  }

  public Path file(Domain domain, Split split) {
    return dir.resolve(domain.dirName()).resolve(split.fileName());
  }

  public Path manifest() {
    return dir.resolve("manifest.json");
  }

  public Path tokenizerDir() {
    return dir.resolve("tokenizer");
  }

  public Path tokenizerJson() {
    return tokenizerDir().resolve("tokenizer.json");
  }

  public Path rawDir() {
    return dir.resolve("raw");
  }

  /**
   * The split file, checked to exist.
   *
   * @throws MissingDataException naming the file when it is not there
   */
  public Path require(Domain domain, Split split) {
    Path file = file(domain, split);
    if (!Files.isRegularFile(file)) throw new MissingDataException(domain.dirName() + " " + split.fileStem() + " split", file);
    return file;
  }

  /**
   * The domains this directory was prepared with, as its manifest lists them (the bundled mixture's
   * brown, kjv and arith, or the broad mixture's six).
   *
   * @throws MissingDataException when there is no manifest
   * @throws IOException when the manifest has no readable {@code splits} object
   */
  public List<Domain> domains() throws IOException {
    Path file = manifest();
    JsonObject manifest = manifestJson();
    List<Domain> domains = new ArrayList<>();
    try {
      JsonObject splits = manifest.getAsJsonObject("splits");
      for (String name : splits.keySet()) domains.add(Domain.parse(name));
    } catch (RuntimeException e) {
      throw new IOException(file + ": field 'splits' is missing or names an unknown domain (" + e.getMessage() + ")", e);
    }
    return domains;
  }

  /**
   * The mixture this directory was prepared with, as its manifest names it; a manifest written
   * before mixtures had names is the bundled one.
   */
  public Mixture mixture() throws IOException {
    JsonObject m = manifestJson();
    try {
      return m.has("mixture") ? Mixture.parse(m.get("mixture").getAsString()) : Mixture.BUNDLED;
    } catch (RuntimeException e) {
      throw new IOException(manifest() + ": field 'mixture': " + e.getMessage(), e);
    }
  }

  /** Digits of the largest arithmetic operand, as the manifest records them (the bundled data's two where it does not). */
  public int arithmeticMaxDigits() throws IOException {
    JsonObject m = manifestJson();
    JsonObject arith = m.has("arith") && m.get("arith").isJsonObject() ? m.getAsJsonObject("arith") : null;
    return arith != null && arith.has("maxDigits") ? arith.get("maxDigits").getAsInt() : ArithmeticGenerator.DEFAULT_MAX_DIGITS;
  }

  private JsonObject manifestJson() throws IOException {
    Path file = manifest();
    if (!Files.isRegularFile(file)) throw new MissingDataException("data manifest", file);
    try {
      return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a JSON object (" + e.getMessage() + ")", e);
    }
  }

  /** The tokenizer file, checked to exist. */
  public Path requireTokenizer() {
    Path file = tokenizerJson();
    if (!Files.isRegularFile(file)) throw new MissingDataException("tokenizer", file);
    return file;
  }

  /** The lines (documents, paragraphs or problems) of a split file. */
  public List<String> readLines(Domain domain, Split split) throws IOException {
    return Files.readAllLines(require(domain, split), StandardCharsets.UTF_8);
  }

  /**
   * The context every arithmetic evaluation puts before a test problem: the first {@code shots}
   * validation problems, solved, one a line (as the training text writes them).
   */
  public String arithmeticShots(int shots) throws IOException {
    StringBuilder context = new StringBuilder();
    for (ArithmeticProblem p : readProblems(Split.VAL).subList(0, shots)) context.append(p.line()).append('\n');
    return context.toString();
  }

  /**
   * The context every word-problem evaluation puts before a test problem: the first {@code shots}
   * validation problems, solved, each followed by a blank line (as the training text writes them).
   */
  public String wordProblemShots(int shots) throws IOException {
    StringBuilder context = new StringBuilder();
    for (WordProblem p : readWordProblems(Split.VAL).subList(0, shots)) context.append(p.text()).append("\n\n");
    return context.toString();
  }

  /**
   * The word problems of a split, parsed and checked: one block of lines each ({@link WordProblem#lines()}),
   * a blank line after every block.
   *
   * @throws IOException naming the file and line of a block not in the form
   */
  public List<WordProblem> readWordProblems(Split split) throws IOException {
    List<String> lines = readLines(Domain.WORDS, split);
    List<WordProblem> problems = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= lines.size(); i++) {
      if (i < lines.size() && !lines.get(i).isEmpty()) continue;
      if (i > start) {
        try {
          problems.add(WordProblem.parse(lines.subList(start, i)));
        } catch (IllegalArgumentException e) {
          throw new IOException(file(Domain.WORDS, split) + " line " + (start + 1) + ": " + e.getMessage(), e);
        }
      }
      start = i + 1;
    }
    return problems;
  }

  /** The arithmetic problems of a split, parsed and checked. */
  public List<ArithmeticProblem> readProblems(Split split) throws IOException {
    return readLines(Domain.ARITH, split).stream().map(ArithmeticProblem::parse).toList();
  }
}
