package dev.fsgen.runtime.data;

/** Exact-match accuracy over many problems; also counts answers that are not numbers at all. */
public final class ArithmeticScorer {
  private int total;
  private int correct;
  private int malformed;

  /** Scores one completion of {@code problem.prompt()}; returns whether it was exactly right. */
  public boolean add(ArithmeticProblem problem, String completion) {
    total++;
    boolean right = problem.isExactMatch(completion);
    if (right) {
      correct++;
    } else if (ArithmeticProblem.parseAnswer(completion).isEmpty()) {
      malformed++;
    }
    return right;
  }

  public int total() {
    return total;
  }

  public int correct() {
    return correct;
  }

  /** Wrong completions whose first line is not " <number>". */
  public int malformed() {
    return malformed;
  }

  /** Correct / total, or 0 before anything was scored. */
  public double accuracy() {
    return total == 0 ? 0 : (double) correct / total;
  }

  @Override
  public String toString() {
    return "%d/%d exact (%.2f%%), %d malformed".formatted(correct, total, 100 * accuracy(), malformed);
  }
}
