package dev.fsgen.study;

import dev.fsgen.decoding.StopRule;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.WordProblem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's prompts from its validation split, where the router sweep chooses its thresholds and
 * the learned router is trained, so that the test prompts only report what was chosen. The same
 * form as the test prompts ({@link PromptSet}): the solved validation problems every prompt starts
 * with (four arithmetic problems, two worked word problems), then one problem; those examples are
 * skipped here, so no prompt contains its own answer.
 */
final class ValidationPrompts {
  private ValidationPrompts() {}

  /** Up to {@code problems} prompts of an exact-match task, fewer where its validation split is smaller. */
  static List<Prompt> build(StudyDomain task, DataLayout data, TextTokenizer tokenizer, int problems) throws IOException {
    return switch (task) {
      case ARITHMETIC -> arithmetic(data, tokenizer, problems);
      case WORD_PROBLEMS -> wordProblems(data, tokenizer, problems);
      case PROSE, BIBLE -> throw new IllegalArgumentException(task.id + " is not scored by exact match: it has no router sweep");
    };
  }

  static List<Prompt> arithmetic(DataLayout data, TextTokenizer tokenizer, int problems) throws IOException {
    String context = data.arithmeticShots(PromptSet.SHOTS);
    List<ArithmeticProblem> val = data.readProblems(Split.VAL);
    if (val.size() <= PromptSet.SHOTS) {
      throw new IllegalArgumentException("arithmetic validation split has " + val.size() + " problems, all used as the prompts' solved examples");
    }
    List<ArithmeticProblem> rest = val.subList(PromptSet.SHOTS, Math.min(val.size(), PromptSet.SHOTS + problems));
    int stop = ArithmeticProblem.answerEnd(tokenizer);
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < rest.size(); i++) {
      ArithmeticProblem p = rest.get(i);
      prompts.add(new Prompt(StudyDomain.ARITHMETIC, i, tokenizer.encode(context + p.prompt()), PromptSet.ANSWER_TOKENS, stop, StopRule.NONE, p));
    }
    return prompts;
  }

  static List<Prompt> wordProblems(DataLayout data, TextTokenizer tokenizer, int problems) throws IOException {
    String context = data.wordProblemShots(PromptSet.WORD_SHOTS);
    List<WordProblem> val = data.readWordProblems(Split.VAL);
    if (val.size() <= PromptSet.WORD_SHOTS) {
      throw new IllegalArgumentException("word-problem validation split has " + val.size() + " problems, all used as the prompts' solved examples");
    }
    return PromptSet.wordProblems(context, val.subList(PromptSet.WORD_SHOTS, Math.min(val.size(), PromptSet.WORD_SHOTS + problems)), tokenizer);
  }
}
