package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class WordProblemGeneratorTest {
  private final TaskSplits<WordProblem> splits = new WordProblemGenerator(7).generate(2000, 200, 300);

  @Test
  void everyStepIsRightAndTheChainEndsInTheAnswer() {
    for (WordProblem p : all()) {
      assertTrue(WordProblem.stepsAreRight(p.steps()), p.text());
      // the steps form one chain: each result feeds a later step, and the last result is the answer
      Matcher last = WordProblem.STEP.matcher(p.steps().get(p.steps().size() - 1));
      assertTrue(last.find());
      assertEquals(p.answer(), Long.parseLong(last.group(4)), p.text());
      for (String s : p.steps()) {
        Matcher m = WordProblem.STEP.matcher(s);
        assertTrue(m.find());
        for (int g : new int[] {1, 3, 4}) {
          long v = Long.parseLong(m.group(g));
          assertTrue(v >= 0 && v <= WordProblemGenerator.MAX_VALUE, s);
        }
      }
    }
  }

  @Test
  void problemsTakeSeveralOperationsAndVary() {
    int[] eventsSeen = new int[9];
    Set<Character> ops = new HashSet<>();
    for (WordProblem p : all()) {
      long events = p.question().chars().filter(c -> c == '.').count() - 1; // the opening sentence is not an event
      assertTrue(events >= WordProblemGenerator.DEFAULT_MIN_EVENTS && events <= WordProblemGenerator.DEFAULT_MAX_EVENTS, p.question());
      eventsSeen[(int) events]++;
      assertTrue(p.steps().size() >= events, p.text());
      for (String s : p.steps()) {
        Matcher m = WordProblem.STEP.matcher(s);
        assertTrue(m.find());
        ops.add(m.group(2).charAt(0));
      }
    }
    for (int e = WordProblemGenerator.DEFAULT_MIN_EVENTS; e <= WordProblemGenerator.DEFAULT_MAX_EVENTS; e++) {
      assertTrue(eventsSeen[e] > 100, "problems with " + e + " events: " + eventsSeen[e]);
    }
    assertEquals(Set.of('+', '-', '*', '/'), ops);
  }

  @Test
  void splitsAreDisjointAndReproducible() {
    Set<String> seen = new HashSet<>();
    for (WordProblem p : all()) assertTrue(seen.add(p.question()), "repeated across splits: " + p.question());
    assertEquals(splits, new WordProblemGenerator(7).generate(2000, 200, 300));
    assertNotEquals(splits.test(), new WordProblemGenerator(8).generate(2000, 200, 300).test());
    // the evaluation sets do not depend on how much training data is asked for
    TaskSplits<WordProblem> smaller = new WordProblemGenerator(7).generate(10, 200, 300);
    assertEquals(splits.test(), smaller.test());
    assertEquals(splits.val(), smaller.val());
  }

  @Test
  void scoredOnTheFinalAnswerLineOnly() {
    WordProblem p = splits.test().get(0);
    assertTrue(p.isExactMatch(p.solution()));
    assertTrue(p.isExactMatch("\nsome wrong working 1 + 1 = 3.\n" + p.finalLine() + "\nQuestion: next"));
    assertFalse(p.isExactMatch("\n" + "answer: " + (p.answer() + 1) + "\n" + p.finalLine()));
    assertFalse(p.isExactMatch("\nanswer: 0" + p.answer()));
    assertFalse(p.isExactMatch(" " + p.answer()));
    assertEquals(OptionalLong.of(p.answer()), WordProblem.parseAnswer(p.solution()));

    ExactMatchScorer scorer = new ExactMatchScorer();
    assertTrue(scorer.add(p, p.solution()));
    assertFalse(scorer.add(p, "\nanswer: " + (p.answer() + 1)));
    assertFalse(scorer.add(p, "\nI do not know"));
    assertFalse(scorer.add(p, "\nanswer: many"));
    assertEquals(4, scorer.total());
    assertEquals(1, scorer.correct());
    assertEquals(2, scorer.malformed());
  }

  @Test
  void theTextReadsAsPromptThenSolution() {
    WordProblem p = splits.train().get(0);
    assertTrue(p.prompt().startsWith("Question: ") && p.prompt().endsWith("\nAnswer:"), p.prompt());
    assertEquals(p.prompt() + p.solution(), p.text());
    assertTrue(p.text().endsWith("\n" + p.finalLine()));
    assertThrows(IllegalArgumentException.class, () -> new WordProblem("two\nlines", List.of("1 + 1 = 2."), 2));
    assertThrows(IllegalArgumentException.class, () -> new WordProblem("q", List.of("no arithmetic"), 2));
    assertThrows(IllegalArgumentException.class, () -> new WordProblemGenerator(1, 3, 2));
  }

  private List<WordProblem> all() {
    return java.util.stream.Stream.of(splits.train(), splits.val(), splits.test()).flatMap(List::stream).toList();
  }
}
