package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.decoding.Generator;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.training.Evaluation;
import dev.fsgen.training.TokenCorpus;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.data.ArithmeticGenerator;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import dev.fsgen.training.data.TaskSplits;
import dev.fsgen.training.data.WordProblem;
import dev.fsgen.training.data.WordProblemGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The family's quality table: each figure equals an independent computation on the bundled System 1
 * (a batched validation loss; a plain greedy generation scored by hand), every figure carries an
 * interval, and a size counts as better than the next smaller one only where every interval separates them.
 */
class QualityEvalTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));
  private static final QualityEval.Options OPTIONS = new QualityEval.Options(6, 30);

  @TempDir static Path tmp;
  static DataLayout data;

  /** A data directory with a text domain (this project's own prose), the arithmetic and the word problems. */
  @BeforeAll
  static void writeData() throws Exception {
    data = new DataLayout(tmp.resolve("data"));
    List<String> prose = Files.readAllLines(ROOT.resolve("docs/models.md")).stream().filter(l -> l.length() > 40).toList();
    write(Domain.BROWN, Split.VAL, prose);
    TaskSplits<ArithmeticProblem> arith = new ArithmeticGenerator(5).generate(20, 10, 40);
    TaskSplits<WordProblem> words = new WordProblemGenerator(7).generate(20, 10, 40);
    for (Split split : Split.values()) {
      write(Domain.ARITH, split, arith.get(split).stream().map(ArithmeticProblem::line).toList());
      List<String> lines = new ArrayList<>();
      for (WordProblem p : words.get(split)) {
        lines.addAll(p.lines());
        lines.add("");
      }
      write(Domain.WORDS, split, lines);
    }
    Files.writeString(data.manifest(), "{\"format\": \"fsgen-data/1\", \"splits\": {\"brown\": {}, \"arith\": {}, \"words\": {}}}");
  }

  private static void write(Domain d, Split s, List<String> lines) throws Exception {
    Files.createDirectories(data.file(d, s).getParent());
    Files.write(data.file(d, s), lines);
  }

  @Test
  void everyFigureEqualsAnIndependentComputationAndCarriesAnInterval() throws Exception {
    Path dir = ROOT.resolve("models/system1");
    QualityEval.Quality q = QualityEval.evaluate("system1", dir, data, OPTIONS, m -> {});
    // the arithmetic's validation text is too short for 2 windows here, so only its answers are measured
    assertEquals(List.of("brown perplexity", "words perplexity", "arithmetic exact match", "word-problems exact match"),
        q.measures().stream().map(QualityEval.Measure::name).toList());
    assertFalse(q.tuned());
    for (QualityEval.Measure m : q.measures()) {
      Bootstrap.Interval v = m.value();
      assertTrue(v.low() <= v.estimate() && v.estimate() <= v.high(), m.toString());
    }
    // every window has its own loss, so the perplexity's interval has a width (an accuracy of 0 or 1 has none)
    assertTrue(q.measures().get(0).value().width() > 0, q.measures().get(0).toString());
    try (LoadedModel m = LoadedModel.load(dir, WeightFormat.FP32)) {
      // perplexity: one forward pass a window equals the batched validation loss over the same windows
      double batched = Evaluation.meanLoss(m.model(), TokenizedData.corpus(data, m.tokenizer(), Domain.BROWN, Split.VAL, 1.0),
          QualityEval.WINDOW, 8, OPTIONS.maxWindows());
      QualityEval.Measure brown = q.measures().get(0);
      assertEquals(OPTIONS.maxWindows(), brown.units());
      assertEquals(Math.exp(batched), brown.value().estimate(), 1e-4 * Math.exp(batched));
      // the same for a task's worked text
      TokenCorpus wordsText = TokenizedData.corpus(data, m.tokenizer(), Domain.WORDS, Split.VAL, 1.0);
      QualityEval.Measure words = q.measure("words perplexity");
      double wordsBatched = Evaluation.meanLoss(m.model(), wordsText, QualityEval.WINDOW, 8, words.units());
      assertTrue(words.units() >= 2, words.toString());
      assertEquals(Math.exp(wordsBatched), words.value().estimate(), 1e-4 * Math.exp(wordsBatched));

      // accuracy: plain greedy generation up to the stop token or the budget, scored on the first answer
      LocalLanguageModel port = new LocalLanguageModel(m.model());
      for (int t = 0; t < 2; t++) {
        StudyDomain task = t == 0 ? StudyDomain.ARITHMETIC : StudyDomain.WORD_PROBLEMS;
        List<Prompt> prompts = PromptSet.build(task, data, m.tokenizer(), new PromptSet.Sizes(1, 1, 1, OPTIONS.problems()));
        int correct = 0;
        for (Prompt p : prompts) {
          Generator.Result r = Generator.generate(port, p.tokens(),
              new Generator.Options(p.maxTokens(), SamplingParams.GREEDY, 0, Set.of(p.stopToken())), id -> {});
          if (p.problem().isExactMatch(m.tokenizer().decode(r.tokens(), true))) correct++;
        }
        QualityEval.Measure measured = q.measure(task.id + " exact match");
        assertEquals(OPTIONS.problems(), measured.units());
        assertEquals((double) correct / OPTIONS.problems(), measured.value().estimate(), 1e-12, task.id);
      }
    }
  }

  @Test
  void aSizeIsBetterOnlyWhereEveryIntervalSeparatesIt() {
    QualityEval.Quality xs = row("xs", 100, false, ppl(50, 48, 52), acc(0.10, 0.05, 0.15));
    QualityEval.Quality s = row("s", 200, false, ppl(40, 38, 42), acc(0.30, 0.25, 0.35));
    QualityEval.Quality m = row("m", 400, false, ppl(35, 33, 39), acc(0.50, 0.45, 0.55)); // perplexity overlaps s's
    QualityEval.Quality tuned = row("xs-kjv", 100, true, ppl(90, 80, 99), acc(0.0, 0.0, 0.01));
    List<QualityEval.Neighbours> n = QualityEval.neighbours(List.of(m, tuned, xs, s));
    assertEquals(2, n.size(), "the tuned variant is left out");
    assertEquals("xs", n.get(0).smaller());
    assertEquals("s", n.get(0).larger());
    assertTrue(n.get(0).separated());
    assertEquals(List.of("text perplexity"), n.get(1).notSeparated());
    // a larger model that is worse is not better, whatever its intervals
    QualityEval.Quality worse = row("l", 800, false, ppl(60, 58, 62), acc(0.9, 0.85, 0.95));
    assertEquals(List.of("text perplexity"), QualityEval.neighbours(List.of(m, worse)).get(0).notSeparated());

    String md = QualityEval.markdown(List.of(xs, s, m, tuned));
    assertTrue(md.contains("| xs | 0.00 M | 50.0 [48.0, 52.0] | 10.0% [5.0, 15.0] |"), md);
    assertTrue(md.contains("- xs → s: better on all 2 measures, intervals disjoint"), md);
    assertTrue(md.contains("- s → m: better with disjoint intervals on 1 of 2 measures; **not on text perplexity**"), md);
  }

  private static QualityEval.Quality row(String name, long parameters, boolean tuned, QualityEval.Measure... measures) {
    return new QualityEval.Quality(name, parameters, tuned, List.of(measures), 0);
  }

  private static QualityEval.Measure ppl(double estimate, double low, double high) {
    return new QualityEval.Measure("text perplexity", false, new Bootstrap.Interval(estimate, low, high, 2000), 10);
  }

  private static QualityEval.Measure acc(double estimate, double low, double high) {
    return new QualityEval.Measure("task exact match", true, new Bootstrap.Interval(estimate, low, high, 2000), 10);
  }
}
