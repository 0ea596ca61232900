package dev.fsgen.training.data;

/** Exact-match accuracy over many problems of either task; also counts answers that are not in the task's form at all. */
public final class ExactMatchScorer {
  private int total;
  private int correct;
  private int malformed;

  /** Scores one completion of {@code problem.prompt()}; returns whether it was exactly right. */
  public boolean add(ExactAnswer problem, String completion) {
    total++;
    boolean right = problem.isExactMatch(completion);
    if (right) {
      correct++;
    } else if (!problem.isWellFormed(completion)) {
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

  /** Wrong completions that give no answer in the task's form. */
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
