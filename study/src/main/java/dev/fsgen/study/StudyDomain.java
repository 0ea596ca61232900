package dev.fsgen.study;

import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.WordProblem;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/** The prompt sets of the study, each drawn from held-out (test) data. */
public enum StudyDomain {
  PROSE("prose", "Brown corpus", Domain.BROWN, false),
  BIBLE("bible", "King James Bible", Domain.KJV, false),
  ARITHMETIC("arithmetic", "addition and subtraction", Domain.ARITH, true),
  WORD_PROBLEMS("word-problems", "multi-step word problems with worked steps", Domain.WORDS, true);

  public final String id;
  public final String description;
  /** The prepared data it draws from. */
  public final Domain data;
  /** Scored by exact match of the final answer (and measured for accuracy beside collaboration). */
  public final boolean exactMatch;

  StudyDomain(String id, String description, Domain data, boolean exactMatch) {
    this.id = id;
    this.description = description;
    this.data = data;
    this.exactMatch = exactMatch;
  }

  /**
   * The final answer a completion of this task gives, empty where it gives none in the task's form:
   * what "the same answer as System 2 alone" compares (a worked solution may reach it in other words).
   */
  public OptionalLong finalAnswer(String completion) {
    return switch (this) {
      case ARITHMETIC -> ArithmeticProblem.parseAnswer(completion);
      case WORD_PROBLEMS -> WordProblem.parseAnswer(completion);
      case PROSE, BIBLE -> throw new IllegalArgumentException(id + " is not scored by exact match: it has no final answer");
    };
  }

  /**
   * The domains whose test split the data directory holds: every one with the broad mixture, all but
   * the word problems with the bundled one (its files must not change).
   */
  public static List<StudyDomain> in(DataLayout data) {
    return Arrays.stream(values()).filter(d -> Files.isRegularFile(data.file(d.data, Split.TEST))).toList();
  }
}
