package dev.fsgen.cli;

import dev.fsgen.runtime.model.WeightFormat;
import picocli.CommandLine.Option;

/**
 * {@code --weights} for the commands that run models for speed (bench, local): how the decode path
 * holds the weights, bf16 by default as the services do (the fastest measured; see
 * docs/performance.md). Commands that convert, train or compare with other implementations keep
 * the checkpoint's values (fp32).
 */
public final class WeightsOption {
  @Option(names = "--weights", defaultValue = "${env:FSGEN_WEIGHTS:-bf16}",
      description = "How the decode path holds the weights: bf16 or fp32 (FSGEN_WEIGHTS). Default: ${DEFAULT-VALUE}.")
  String weights;

  /** Sets the process's weight format; models loaded afterwards use it. */
  WeightFormat apply() {
    return WeightFormat.configure(weights);
  }
}
