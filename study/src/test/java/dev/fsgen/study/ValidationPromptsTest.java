package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validation prompts skip the solved examples every prompt starts with, so none holds its own answer. */
class ValidationPromptsTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  @TempDir Path tmp;

  @Test
  void skipsTheShotsAndKeepsTheTestPromptsForm() throws Exception {
    DataLayout data = new DataLayout(tmp);
    Path val = data.file(Domain.ARITH, Split.VAL);
    Files.createDirectories(val.getParent());
    Files.write(val, List.of("12 + 30 = 42", "50 - 8 = 42", "7 + 7 = 14", "90 - 45 = 45", "23 + 11 = 34", "61 - 19 = 42", "5 + 80 = 85"));
    try (TextTokenizer tokenizer = TextTokenizer.load(ROOT.resolve("models/system1/tokenizer.json"))) {
      List<Prompt> prompts = ValidationPrompts.arithmetic(data, tokenizer, 2);
      assertEquals(2, prompts.size());
      String first = tokenizer.decode(prompts.get(0).tokens(), true);
      // the four shots, then the fifth line's question
      assertTrue(first.startsWith("12 + 30 = 42\n50 - 8 = 42\n7 + 7 = 14\n90 - 45 = 45\n"), first);
      assertTrue(first.endsWith("23 + 11 ="), first);
      assertFalse(first.contains("34"), first);
      assertEquals(34, ((ArithmeticProblem) prompts.get(0).problem()).result());
      assertEquals(42, ((ArithmeticProblem) prompts.get(1).problem()).result());
      assertEquals(PromptSet.ANSWER_TOKENS, prompts.get(1).maxTokens());
      // more asked for than the split holds: all three that are left
      assertEquals(3, ValidationPrompts.arithmetic(data, tokenizer, 10).size());
      Files.write(val, List.of("1 + 1 = 2", "2 + 2 = 4", "3 + 3 = 6", "4 + 4 = 8"));
      assertThrows(IllegalArgumentException.class, () -> ValidationPrompts.arithmetic(data, tokenizer, 2));
    }
  }
}
