package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ArithmeticProblemTest {
  @Test
  void hasTheFixedTextForm() {
    ArithmeticProblem add = new ArithmeticProblem(1234, '+', 56);
    assertEquals("1234 + 56 =", add.prompt());
    assertEquals(" 1290", add.answer());
    assertEquals("1234 + 56 = 1290", add.line());
    ArithmeticProblem sub = new ArithmeticProblem(7, '-', 7);
    assertEquals("7 - 7 = 0", sub.line());
    assertEquals(0, sub.result());
  }

  @Test
  void parsesLinesAndPrompts() {
    assertEquals(new ArithmeticProblem(9876, '-', 5432), ArithmeticProblem.parse("9876 - 5432 = 4444"));
    assertEquals(new ArithmeticProblem(3, '+', 4), ArithmeticProblem.parse("3 + 4 ="));
    ArithmeticProblem p = new ArithmeticProblem(42, '+', 8);
    assertEquals(p, ArithmeticProblem.parse(p.line()));
    assertThrows(IllegalArgumentException.class, () -> ArithmeticProblem.parse("3 + 4 = 8"));
    assertThrows(IllegalArgumentException.class, () -> ArithmeticProblem.parse("3+4=7"));
    assertThrows(IllegalArgumentException.class, () -> ArithmeticProblem.parse("3 * 4 = 12"));
    assertThrows(IllegalArgumentException.class, () -> ArithmeticProblem.parse("3 - 4 = -1"));
  }

  @Test
  void validatesOperands() {
    assertThrows(IllegalArgumentException.class, () -> new ArithmeticProblem(3, '-', 4));
    assertThrows(IllegalArgumentException.class, () -> new ArithmeticProblem(-1, '+', 4));
    assertThrows(IllegalArgumentException.class, () -> new ArithmeticProblem(1, 'x', 4));
  }

  @Test
  void judgesCompletionsByExactMatchOfTheFirstLine() {
    ArithmeticProblem p = new ArithmeticProblem(40, '+', 6);
    assertTrue(p.isExactMatch(" 46"));
    assertTrue(p.isExactMatch(" 46\n12 + 3 = 15"));
    assertFalse(p.isExactMatch("46"));
    assertFalse(p.isExactMatch(" 46 "));
    assertFalse(p.isExactMatch(" 046"));
    assertFalse(p.isExactMatch(" 47\n"));
    assertFalse(p.isExactMatch(""));
  }

  @Test
  void parsesAnswersToTellWrongFromMalformed() {
    assertEquals(OptionalLong.of(47), ArithmeticProblem.parseAnswer(" 47\nmore"));
    assertEquals(OptionalLong.of(0), ArithmeticProblem.parseAnswer(" 0"));
    assertTrue(ArithmeticProblem.parseAnswer(" 047").isEmpty());
    assertTrue(ArithmeticProblem.parseAnswer(" forty").isEmpty());
    assertTrue(ArithmeticProblem.parseAnswer("47").isEmpty());
  }

  @Test
  void scorerCountsExactMatches() {
    ExactMatchScorer scorer = new ExactMatchScorer();
    ArithmeticProblem p = new ArithmeticProblem(10, '-', 3);
    assertTrue(scorer.add(p, " 7\n"));
    assertFalse(scorer.add(p, " 8"));
    assertFalse(scorer.add(p, " seven"));
    assertTrue(scorer.add(new ArithmeticProblem(1, '+', 1), " 2"));
    assertEquals(4, scorer.total());
    assertEquals(2, scorer.correct());
    assertEquals(1, scorer.malformed());
    assertEquals(0.5, scorer.accuracy());
  }
}
