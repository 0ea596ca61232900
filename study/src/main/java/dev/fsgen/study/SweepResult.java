package dev.fsgen.study;

/**
 * Gated handoff with one router at one threshold, on one task's prompts (arithmetic or the word
 * problems) of one pair.
 *
 * @param agreeing answers the same as System 2 alone's ({@link StudyDomain#finalAnswer}; no answer counts as one)
 * @param system2Share share of generated tokens System 2 produced
 * @param split the problems it ran on: {@code val} (where thresholds are chosen) or {@code test}
 *     (where the chosen ones are reported); null in older measurements, which ran on test
 * @param correctByProblem per problem, whether its answer matched exactly (null in older measurements)
 * @param agreeingByProblem per problem, whether its answer equals System 2 alone's
 * @param domain the task's {@link StudyDomain#id}; null in older measurements, which were all arithmetic
 */
public record SweepResult(String pair, String router, double threshold, int problems, int correct, int agreeing,
    double system2Share, double seconds, String split, boolean[] correctByProblem, boolean[] agreeingByProblem, String domain) {
  public static final String VALIDATION = "val";
  public static final String TEST = "test";

  /** The task it ran on. */
  public String task() {
    return domain == null ? StudyDomain.ARITHMETIC.id : domain;
  }

  public boolean onValidation() {
    return VALIDATION.equals(split);
  }

  public double accuracy() {
    return (double) correct / problems;
  }

  public double agreement() {
    return (double) agreeing / problems;
  }
}
