package dev.fsgen.study;

import dev.fsgen.decoding.StopRule;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.WordProblem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fixed prompts of the study, from the test splits that no model trained on.
 *
 * <ul>
 *   <li>prose and Bible: passages of {@code promptTokens + textTokens} tokens, one after another
 *       in each paragraph (Brown) or chapter (KJV) of the test split, taken at even intervals through
 *       them; the first {@code promptTokens} of each are a prompt, continued for {@code textTokens} tokens;
 *   <li>arithmetic: four solved validation problems, then a test problem; the answer ends at the
 *       newline, so every measured token is a token of the answer;
 *   <li>word problems (where the data has them): two solved validation problems, then a test
 *       problem's question; the worked solution ends after its {@code answer:} line.
 * </ul>
 */
public final class PromptSet {
  public static final int SHOTS = 4;
  /** An answer is at most four digits (three-digit operands sum to at most 1998), the first with its space, then the newline: five tokens; one spare. */
  public static final int ANSWER_TOKENS = 6;
  /** Two solved word problems show the format; each is about 80 tokens. */
  public static final int WORD_SHOTS = 2;

  /** @param problems arithmetic problems and word problems (the first of each test split) */
  public record Sizes(int textPrompts, int promptTokens, int textTokens, int problems) {
    public Sizes {
      if (textPrompts < 1 || promptTokens < 1 || textTokens < 1 || problems < 1) {
        throw new IllegalArgumentException("prompt set sizes must be >= 1: " + this);
      }
    }
  }

  private PromptSet() {}

  public static List<Prompt> build(StudyDomain domain, DataLayout data, TextTokenizer tokenizer, Sizes sizes) throws IOException {
    return switch (domain) {
      case PROSE -> text(domain, data.readLines(Domain.BROWN, Split.TEST), tokenizer, sizes);
      case BIBLE -> text(domain, data.readLines(Domain.KJV, Split.TEST), tokenizer, sizes);
      case ARITHMETIC -> arithmetic(data, tokenizer, sizes);
      case WORD_PROBLEMS -> wordProblems(data, tokenizer, sizes);
    };
  }

  private static List<Prompt> text(StudyDomain domain, List<String> lines, TextTokenizer tokenizer, Sizes sizes) {
    List<int[]> usable = new ArrayList<>();
    int passage = sizes.promptTokens() + sizes.textTokens();
    for (String line : lines) {
      int[] ids = tokenizer.encode(line);
      // each passage long enough that the model continues real text, not the start of the next
      // document; a long document (a Bible chapter) holds several, one after another
      for (int at = 0; at + passage <= ids.length; at += passage) usable.add(Arrays.copyOfRange(ids, at, at + sizes.promptTokens()));
    }
    if (usable.size() < sizes.textPrompts()) {
      throw new IllegalArgumentException("%s test split has %d passages of %d tokens, %d asked for".formatted(
          domain.id, usable.size(), passage, sizes.textPrompts()));
    }
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < sizes.textPrompts(); i++) {
      int at = (int) ((long) i * usable.size() / sizes.textPrompts()); // spread over the split
      prompts.add(new Prompt(domain, i, usable.get(at), sizes.textTokens(), tokenizer.eosId(), StopRule.NONE, null));
    }
    return prompts;
  }

  private static List<Prompt> arithmetic(DataLayout data, TextTokenizer tokenizer, Sizes sizes) throws IOException {
    String context = data.arithmeticShots(SHOTS);
    List<ArithmeticProblem> test = data.readProblems(Split.TEST);
    if (test.size() < sizes.problems()) throw new IllegalArgumentException("arithmetic test split has " + test.size() + " problems, " + sizes.problems() + " asked for");
    int stop = ArithmeticProblem.answerEnd(tokenizer);
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < sizes.problems(); i++) {
      ArithmeticProblem p = test.get(i);
      prompts.add(new Prompt(StudyDomain.ARITHMETIC, i, tokenizer.encode(context + p.prompt()), ANSWER_TOKENS, stop, StopRule.NONE, p));
    }
    return prompts;
  }

  private static List<Prompt> wordProblems(DataLayout data, TextTokenizer tokenizer, Sizes sizes) throws IOException {
    String context = data.wordProblemShots(WORD_SHOTS);
    List<WordProblem> test = data.readWordProblems(Split.TEST);
    if (test.size() < sizes.problems()) throw new IllegalArgumentException("word-problem test split has " + test.size() + " problems, " + sizes.problems() + " asked for");
    return wordProblems(context, test.subList(0, sizes.problems()), tokenizer);
  }

  /** One prompt per problem: {@code context} (the solved examples), then the problem's question. */
  static List<Prompt> wordProblems(String context, List<WordProblem> drawn, TextTokenizer tokenizer) {
    // the budget: the longest worked solution of the set, with room for a model that works it in longer steps
    int longest = drawn.stream().mapToInt(p -> tokenizer.encode(p.solution()).length).max().orElseThrow();
    int budget = longest + longest / 2;
    StopRule stop = new AnswerLineStop(tokenizer);
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < drawn.size(); i++) {
      WordProblem p = drawn.get(i);
      prompts.add(new Prompt(StudyDomain.WORD_PROBLEMS, i, tokenizer.encode(context + p.prompt()), budget, tokenizer.eosId(), stop, p));
    }
    return prompts;
  }
}
