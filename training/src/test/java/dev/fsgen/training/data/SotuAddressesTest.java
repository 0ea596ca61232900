package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.training.data.SotuAddresses.SotuAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SotuAddressesTest {
  @Test
  void readsOneAddressAFileInYearOrder(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("1791_george_washington_n.txt"), "Fellow-Citizens of the Senate:  In vain\n\nmay we expect.");
    Files.writeString(dir.resolve("1790_george_washington_n.txt"), "I embrace with great satisfaction the opportunity.");
    Files.writeString(dir.resolve("README.md"), "not an address");
    List<SotuAddress> addresses = SotuAddresses.read(dir);
    assertEquals(List.of("1790_george_washington_n", "1791_george_washington_n"), addresses.stream().map(SotuAddress::id).toList());
    assertEquals(1791, addresses.get(1).year());
    assertEquals("Fellow-Citizens of the Senate: In vain may we expect.", addresses.get(1).text());
  }

  @Test
  void refusesAForeignFileNameAndAnEmptyAddress(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("washington.txt"), "text");
    IOException e = assertThrows(IOException.class, () -> SotuAddresses.read(dir));
    assertTrue(e.getMessage().contains("washington.txt") && e.getMessage().contains("YYYY_president_party"), e.getMessage());
    Files.delete(dir.resolve("washington.txt"));
    Files.writeString(dir.resolve("1790_george_washington_n.txt"), " \n");
    e = assertThrows(IOException.class, () -> SotuAddresses.read(dir));
    assertTrue(e.getMessage().contains("1790_george_washington_n.txt") && e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void namesAMissingDirectoryOrAnEmptyOne(@TempDir Path dir) throws Exception {
    MissingDataException e = assertThrows(MissingDataException.class, () -> SotuAddresses.read(dir.resolve("sotu")));
    assertTrue(e.getMessage().contains("sotu") && e.getMessage().contains("./fsgen data"), e.getMessage());
    e = assertThrows(MissingDataException.class, () -> SotuAddresses.read(dir));
    assertTrue(e.getMessage().contains("no .txt file"), e.getMessage());
  }

  /** On a machine where the addresses were fetched: 233 of them, 1790 to 2021, ids distinct. */
  @Test
  void realAddressesWhenPresent() throws Exception {
    Path dir = RealRaw.require("sotu");
    List<SotuAddress> addresses = SotuAddresses.read(dir);
    assertEquals(233, addresses.size());
    assertEquals(1790, addresses.get(0).year());
    assertEquals(2021, addresses.get(addresses.size() - 1).year());
    assertEquals(233, new HashSet<>(addresses.stream().map(SotuAddress::id).toList()).size());
    long chars = addresses.stream().mapToLong(a -> a.text().length()).sum();
    assertTrue(chars > 10_000_000, "only " + chars + " characters");
  }
}
