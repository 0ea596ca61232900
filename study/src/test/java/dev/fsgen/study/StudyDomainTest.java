package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What "the same answer as System 2 alone" compares: each task's final answer, not its wording. */
class StudyDomainTest {
  @Test
  void twoSolutionsAgreeWhereTheirFinalAnswersDo() {
    StudyDomain words = StudyDomain.WORD_PROBLEMS;
    String one = "Rose gives away 5: 11 - 5 = 6.\nOne of 3 equal shares is 6 / 3 = 2.\nanswer: 2\n";
    String other = "One of 3 equal shares is (11 - 5) / 3.\n11 - 5 = 6.\n6 / 3 = 2.\nanswer: 2\n";
    assertEquals(OptionalLong.of(2), words.finalAnswer(one));
    assertEquals(words.finalAnswer(one), words.finalAnswer(other));
    assertNotEquals(words.finalAnswer(one), words.finalAnswer(one.replace("answer: 2", "answer: 3")));
    // no answer line, or a malformed one: no answer, which two such completions share
    assertEquals(OptionalLong.empty(), words.finalAnswer("Rose gives away 5: 11 - 5 = 6.\n"));
    assertEquals(OptionalLong.empty(), words.finalAnswer("answer: two\n"));

    StudyDomain arith = StudyDomain.ARITHMETIC;
    assertEquals(OptionalLong.of(46), arith.finalAnswer(" 46\n"));
    assertEquals(arith.finalAnswer(" 46\n"), arith.finalAnswer(" 46"));
    assertNotEquals(arith.finalAnswer(" 46\n"), arith.finalAnswer(" 47\n"));
    assertThrows(IllegalArgumentException.class, () -> StudyDomain.PROSE.finalAnswer("text"));
  }
}
