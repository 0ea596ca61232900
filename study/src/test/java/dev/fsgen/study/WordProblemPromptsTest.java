package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.StopRule;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.ExactMatchScorer;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.TaskSplits;
import dev.fsgen.training.data.WordProblem;
import dev.fsgen.training.data.WordProblemGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The word-problem prompt set: drawn from the test split only, ended at the answer line, scored on the final answer. */
class WordProblemPromptsTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));
  private static final PromptSet.Sizes SIZES = new PromptSet.Sizes(1, 1, 1, 20);

  @TempDir static Path tmp;
  static TextTokenizer tokenizer;
  static DataLayout data;
  static TaskSplits<WordProblem> splits;

  /** A data directory with the word-problem files as the broad mixture writes them (and no other domain). */
  @BeforeAll
  static void writeData() throws Exception {
    tokenizer = TextTokenizer.load(ROOT.resolve("models/system1/tokenizer.json"));
    data = new DataLayout(tmp.resolve("data"));
    splits = new WordProblemGenerator(7).generate(60, 10, 30);
    for (Split split : Split.values()) {
      List<String> lines = new ArrayList<>();
      for (WordProblem p : splits.get(split)) {
        lines.addAll(p.lines());
        lines.add("");
      }
      Files.createDirectories(data.file(Domain.WORDS, split).getParent());
      Files.write(data.file(Domain.WORDS, split), lines);
    }
  }

  @AfterAll
  static void close() {
    if (tokenizer != null) tokenizer.close();
  }

  @Test
  void promptsAreTheTestProblemsAfterSolvedValidationOnes() throws Exception {
    assertEquals(List.of(StudyDomain.WORD_PROBLEMS), StudyDomain.in(data));
    List<Prompt> prompts = PromptSet.build(StudyDomain.WORD_PROBLEMS, data, tokenizer, SIZES);
    assertEquals(SIZES.problems(), prompts.size());
    Set<String> heldIn = new HashSet<>();
    for (Split split : List.of(Split.TRAIN, Split.VAL)) for (WordProblem p : splits.get(split)) heldIn.add(p.question());
    String shots = splits.val().get(0).text() + "\n\n" + splits.val().get(1).text() + "\n\n";
    for (Prompt p : prompts) {
      WordProblem problem = (WordProblem) p.problem();
      assertEquals(splits.test().get(p.index()), problem);
      assertFalse(heldIn.contains(problem.question()), problem.question());
      assertEquals(shots + problem.prompt(), tokenizer.decode(p.tokens(), true));
      assertTrue(p.maxTokens() >= tokenizer.encode(problem.solution()).length, "budget " + p.maxTokens());
      assertEquals(StudyDomain.WORD_PROBLEMS, p.domain());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PromptSet.build(StudyDomain.WORD_PROBLEMS, data, tokenizer, new PromptSet.Sizes(1, 1, 1, 31)));
    assertTrue(e.getMessage().contains("30 problems, 31 asked for"), e.getMessage());
  }

  @Test
  void aWorkedSolutionIsScoredOnItsFinalAnswer() throws Exception {
    Prompt prompt = PromptSet.build(StudyDomain.WORD_PROBLEMS, data, tokenizer, SIZES).get(0);
    WordProblem p = (WordProblem) prompt.problem();
    ExactMatchScorer scorer = new ExactMatchScorer();
    assertTrue(scorer.add(p, p.solution()));
    // other working, the same final answer: right
    assertTrue(scorer.add(p, "\nI count them one event at a time.\nThat leaves " + p.answer() + ".\n" + p.finalLine() + "\n"));
    // the reference's steps with another final answer: wrong
    assertFalse(scorer.add(p, "\n" + String.join("\n", p.steps()) + "\nanswer: " + (p.answer() + 1) + "\n"));
    // the steps and no answer line: wrong, and counted as malformed
    assertFalse(scorer.add(p, "\n" + String.join("\n", p.steps()) + "\n"));
    assertEquals(2, scorer.correct());
    assertEquals(4, scorer.total());
    assertEquals(1, scorer.malformed());
  }

  @Test
  void theGenerationEndsAfterTheAnswerLineOrAtABlankLine() throws Exception {
    WordProblem p = splits.test().get(0);
    StopRule stop = PromptSet.build(StudyDomain.WORD_PROBLEMS, data, tokenizer, SIZES).get(0).stop();
    String read = readUntilStop(stop, p.solution() + "\n\n" + splits.test().get(1).text());
    assertTrue(read.startsWith(p.solution() + "\n") && !read.contains("Question"), read);
    // a model that skips the answer line stops where the problem ends, not at the token budget
    read = readUntilStop(stop, "\n" + p.steps().get(0) + "\n\nQuestion: " + p.question());
    assertTrue(read.startsWith("\n" + p.steps().get(0) + "\n\n") && !read.contains("Question"), read);
  }

  /**
   * The study on the bundled pair over a data directory with only the word problems: every method
   * measured and scored, and the router sweep run on the word problems' own validation and test problems.
   */
  @Test
  void theStudyMeasuresAndReportsTheWordProblems() throws Exception {
    PromptSet.Sizes sizes = new PromptSet.Sizes(1, 1, 1, 2);
    StudyRunner.Results results;
    FamilyModels bundled = FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
    try (FamilyModels models = bundled) {
      results = new StudyRunner(models, new StudyRunner.Options(data, tmp.resolve("work"), sizes, true), Progress.sink(m -> {})).run();
    }
    // 4 routers x 3 thresholds on validation and on test, all on the word problems
    assertEquals(24, results.sweep().size());
    for (SweepResult s : results.sweep()) assertEquals(StudyDomain.WORD_PROBLEMS.id, s.task(), s.toString());
    assertEquals(12, results.sweep().stream().filter(SweepResult::onValidation).count());
    // oracle, contrastive and speculative, and the accuracy baseline S alone; gated handoff is the sweep's here
    assertEquals(List.of("oracle", "contrastive", "speculative", "system1-only"), results.units().stream().map(UnitResult::method).toList());
    List<Prompt> prompts = PromptSet.build(StudyDomain.WORD_PROBLEMS, data, tokenizer, sizes);
    for (UnitResult u : results.units()) {
      assertEquals(StudyDomain.WORD_PROBLEMS.id, u.domain());
      int correct = 0;
      for (int i = 0; i < prompts.size(); i++) if (prompts.get(i).problem().isExactMatch(u.outputs().get(i))) correct++;
      assertEquals(correct, u.correct(), u.method());
      assertTrue(u.tokens() <= prompts.size() * prompts.get(0).maxTokens(), u.method() + " " + u.tokens());
    }
    // differential: greedy speculative decoding gives System 2's greedy solutions (the oracle's output)
    assertEquals(unit(results, Method.ORACLE).outputs(), unit(results, Method.SPECULATIVE).outputs());

    Report.write(tmp.resolve("report"), new Report.Setup(bundled.general(), sizes, 1, true, new Report.WallTime(1, 1), 2), results);
    String md = Files.readString(tmp.resolve("report/README.md"));
    assertTrue(md.contains("**word-problems exact match**") && md.contains("- **word-problems**: 2 multi-step word problems"), md);
    assertFalse(md.contains("**arithmetic exact match**"), md);
    assertTrue(md.contains("**word-problems, system1→system2**, thresholds chosen on validation"), md);
    assertTrue(Files.isRegularFile(tmp.resolve("report/tradeoff-accuracy-word-problems-system1_system2.png")));
  }

  private static UnitResult unit(StudyRunner.Results results, Method m) {
    return results.units().stream().filter(u -> u.method().equals(m.id)).findFirst().orElseThrow();
  }

  /** The text of the tokens a matcher reads, up to and including the one it stops after. */
  private static String readUntilStop(StopRule stop, String text) {
    int[] ids = tokenizer.encode(text);
    StopRule.Matcher m = stop.start();
    int n = 0;
    while (n < ids.length && !m.stopsAfter(ids[n])) n++;
    assertTrue(n < ids.length, "never stopped on " + text);
    return tokenizer.decode(java.util.Arrays.copyOf(ids, n + 1), true);
  }
}
