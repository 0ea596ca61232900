package dev.fsgen.cli;

import ai.djl.ndarray.types.DataType;
import dev.fsgen.runtime.progress.Progress;
import java.nio.file.Path;

/** Shared bits of the command line: where the repository is, how names map to values. */
final class Cli {
  private Cli() {}

  /** The repository root, passed by the ./fsgen launcher; the working directory otherwise. */
  static Path root() {
    return Path.of(System.getProperty("fsgen.root", ".")).toAbsolutePath().normalize();
  }

  /**
   * Progress lines on stderr, each job's label after {@code prefix} (the command): redrawn in place
   * where stderr is a terminal, whole lines in a log.
   */
  static Progress.Sink progress(String prefix) {
    return (label, unit, total) -> Progress.to(System.err, prefix + " " + label, unit, total);
  }

  static DataType dtype(String name) {
    return switch (name.toLowerCase()) {
      case "float32", "fp32", "f32" -> DataType.FLOAT32;
      case "float16", "fp16", "f16" -> DataType.FLOAT16;
      case "bfloat16", "bf16" -> DataType.BFLOAT16;
      default -> throw new IllegalArgumentException("--dtype must be float32, float16 or bfloat16, got '" + name + "'");
    };
  }
}
