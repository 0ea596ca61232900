package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The fetched raw data of this checkout; the tests that check real counts are skipped where it is absent. */
final class RealRaw {
  private RealRaw() {}

  /** {@code data/raw/<name>} of the repository, or the test is skipped (not failed) when it is not there. */
  static Path require(String name) {
    Path path = Path.of(System.getProperty("fsgen.root", ".")).resolve("data/raw").resolve(name);
    assumeTrue(Files.exists(path), "no fetched data at " + path + " (scripts/fetch-data.sh)");
    return path;
  }
}
