package dev.fsgen.training.data;

/** A problem scored by exact match on its final answer (the arithmetic and the word-problem tasks). */
public interface ExactAnswer {
  /** Whether {@code completion} (what the model wrote after the prompt) gives exactly the answer. */
  boolean isExactMatch(String completion);

  /** Whether {@code completion} gives an answer at all in the task's form, right or wrong. */
  boolean isWellFormed(String completion);
}
