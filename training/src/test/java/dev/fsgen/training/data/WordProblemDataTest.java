package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The word problems as a domain of the broad mixture: written as blocks, read back as the generator made them. */
class WordProblemDataTest {
  @Test
  void broadMixtureWritesTheWordProblemsAndReadsThemBack(@TempDir Path tmp) throws Exception {
    assertTrue(Mixture.BROAD.domains().contains(Domain.WORDS));
    assertFalse(Mixture.BUNDLED.domains().contains(Domain.WORDS));
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    DataPreparer.Result result = DataPreparer.prepare(DataPreparer.Options.defaults(raw, tmp.resolve("out"))
        .withArithmetic(300, 20, 20).withMixture(Mixture.BROAD), m -> {});
    DataLayout layout = result.layout();
    assertTrue(layout.domains().contains(Domain.WORDS));

    // the defaults hold out enough test problems for a study of 1,000
    TaskSplits<WordProblem> generated = new WordProblemGenerator(DataPreparer.DEFAULT_SEED)
        .generate(DataPreparer.DEFAULT_WORDS.train(), DataPreparer.DEFAULT_WORDS.val(), DataPreparer.DEFAULT_WORDS.test());
    assertTrue(generated.test().size() >= 1000);
    Set<String> seen = new HashSet<>();
    for (Split split : Split.values()) {
      List<WordProblem> read = layout.readWordProblems(split);
      assertEquals(generated.get(split), read, split.fileStem());
      DataPreparer.SplitStats s = result.get(Domain.WORDS, split);
      assertEquals(read.size(), s.docs());
      assertEquals(read.stream().mapToLong(p -> p.lines().size() + 1).sum(), s.lines());
      for (WordProblem p : read) seen.add(p.question());
    }
    assertEquals(generated.train().size() + generated.val().size() + generated.test().size(), seen.size(), "a question is in two splits");

    // the training text shows each problem as the study prompts it: question, worked steps, final line
    String train = Files.readString(layout.file(Domain.WORDS, Split.TRAIN));
    assertTrue(train.startsWith(generated.train().get(0).text() + "\n\nQuestion: "), train.substring(0, 300));
    assertTrue(layout.wordProblemShots(2).equals(generated.val().get(0).text() + "\n\n" + generated.val().get(1).text() + "\n\n"));
    JsonObject manifest = JsonParser.parseString(Files.readString(layout.manifest())).getAsJsonObject();
    assertEquals(result.get(Domain.WORDS, Split.TRAIN).bytes(), manifest.getAsJsonObject("trainText").getAsJsonObject("domains").getAsJsonObject("words").get("bytes").getAsLong());
    assertTrue(manifest.getAsJsonObject("words").get("format").getAsString().contains("answer: N"));
  }

  @Test
  void aMalformedProblemIsRefusedWithItsFileAndLine(@TempDir Path tmp) throws Exception {
    DataLayout layout = new DataLayout(tmp);
    WordProblem p = new WordProblemGenerator(1).generate(0, 0, 1).test().get(0);
    Files.createDirectories(tmp.resolve("words"));
    List<String> lines = new java.util.ArrayList<>(p.lines());
    lines.add("");
    lines.addAll(p.lines());
    lines.set(lines.size() - 2, "Anna has 3 + 4 = 8.");
    lines.add("");
    Files.write(layout.file(Domain.WORDS, Split.TEST), lines);
    IOException e = assertThrows(IOException.class, () -> layout.readWordProblems(Split.TEST));
    assertTrue(e.getMessage().contains("words/test.txt line " + (p.lines().size() + 2)) && e.getMessage().contains("step is wrong"), e.getMessage());
    Files.write(layout.file(Domain.WORDS, Split.TEST), List.of("Question: no answer", "Answer:", "1 + 1 = 2.", ""));
    e = assertThrows(IOException.class, () -> layout.readWordProblems(Split.TEST));
    assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("answer: N"), e.getMessage());
  }
}
