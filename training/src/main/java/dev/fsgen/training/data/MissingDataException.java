package dev.fsgen.training.data;

import java.nio.file.Path;

/** Raw or prepared data that is not where it should be; the message names the path and the fix. */
public final class MissingDataException extends IllegalStateException {
  private final transient Path path;

  public MissingDataException(String what, Path path) {
    super(what + " not found: " + path.toAbsolutePath().normalize() + " (run ./fsgen data to fetch and prepare it)");
    this.path = path;
  }

  public Path path() {
    return path;
  }
}
