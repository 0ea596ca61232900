package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArithmeticGeneratorTest {
  @Test
  void sameSeedSameProblems() {
    TaskSplits<ArithmeticProblem> a = new ArithmeticGenerator(7).generate(5000, 300, 300);
    TaskSplits<ArithmeticProblem> b = new ArithmeticGenerator(7).generate(5000, 300, 300);
    assertEquals(a, b);
    assertNotEquals(a.train(), new ArithmeticGenerator(8).generate(5000, 300, 300).train());
  }

  @Test
  void theDefaultSplitsHoldEveryTwoDigitProblemOnce() {
    ArithmeticGenerator generator = new ArithmeticGenerator(1234);
    assertEquals(100 * 100 + 100 * 101 / 2, generator.distinctProblems());
    TaskSplits<ArithmeticProblem> s = generator.generate(13_050, 1_000, 1_000);
    Set<ArithmeticProblem> all = new HashSet<>();
    for (Split split : Split.values()) all.addAll(s.get(split));
    assertEquals(15_050, all.size());
    for (ArithmeticProblem p : all) assertTrue(p.a() <= 99 && p.b() <= 99 && p.result() >= 0, p.line());
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> generator.generate(13_051, 1_000, 1_000));
    assertTrue(tooMany.getMessage().contains("15050 distinct"), tooMany.getMessage());
  }

  @Test
  void noProblemIsInTwoSplitsOrTwice() {
    TaskSplits<ArithmeticProblem> s = new ArithmeticGenerator(1234, 4).generate(20000, 2000, 2000);
    assertEquals(20000, s.train().size());
    assertEquals(2000, s.val().size());
    assertEquals(2000, s.test().size());
    Set<ArithmeticProblem> all = new HashSet<>();
    for (Split split : Split.values()) all.addAll(s.get(split));
    assertEquals(24000, all.size());
  }

  @Test
  void evaluationSetsDoNotDependOnTrainingSize() {
    TaskSplits<ArithmeticProblem> small = new ArithmeticGenerator(5, 4).generate(100, 500, 500);
    TaskSplits<ArithmeticProblem> large = new ArithmeticGenerator(5, 4).generate(30000, 500, 500);
    assertEquals(small.val(), large.val());
    assertEquals(small.test(), large.test());
  }

  @Test
  void operandsAreUniformBelowTheDigitLimitAndResultsAreNonNegative() {
    List<ArithmeticProblem> train = new ArithmeticGenerator(3, 4).generate(20000, 0, 0).train();
    Set<Integer> digitCounts = new HashSet<>();
    int subtractions = 0;
    for (ArithmeticProblem p : train) {
      assertTrue(p.a() <= 9999 && p.b() <= 9999);
      assertTrue(p.result() >= 0);
      digitCounts.add(Long.toString(p.a()).length());
      if (p.op() == '-') subtractions++;
      assertEquals(p, ArithmeticProblem.parse(p.line()));
    }
    assertEquals(Set.of(1, 2, 3, 4), digitCounts); // uniform: ~90% have four digits, but all lengths occur
    assertTrue(subtractions > 9000 && subtractions < 11000, "subtractions: " + subtractions);
  }
}
