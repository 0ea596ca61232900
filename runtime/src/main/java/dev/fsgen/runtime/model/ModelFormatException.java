package dev.fsgen.runtime.model;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be used as it is: missing file, wrong tensor shape or dtype, unsupported
 * config field. The message always names the file and the tensor or field so the user can fix it.
 */
public final class ModelFormatException extends RuntimeException {
  public ModelFormatException(Path file, String detail) {
    super(file + ": " + detail);
  }

  public ModelFormatException(Path file, String detail, Throwable cause) {
    super(file + ": " + detail, cause);
  }
}
