package dev.fsgen.study;

/**
 * Gated handoff with one router at one threshold, on the arithmetic prompts of one pair.
 *
 * @param agreeing answers identical to System 2 alone's
 * @param system2Share share of generated tokens System 2 produced
 */
public record SweepResult(String pair, String router, double threshold, int problems, int correct, int agreeing,
    double system2Share, double seconds) {
  public double accuracy() {
    return (double) correct / problems;
  }

  public double agreement() {
    return (double) agreeing / problems;
  }
}
