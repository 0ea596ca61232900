package dev.fsgen.bench;

import dev.fsgen.decoding.Generator;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.training.Evaluation;
import dev.fsgen.training.TokenCorpus;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The quality of one model on held-out data: perplexity on Brown and KJV validation text
 * (teacher-forced, fixed windows) and exact-match accuracy on test arithmetic problems (greedy,
 * a few solved problems from the validation split as context, as in training text).
 */
public final class QualityEval {
  private static final int SHOTS = 4;
  private static final int ANSWER_TOKENS = 8;

  public record Options(int seqLen, int maxWindows, int problems) {}

  /** @param arithAccuracy exact match over the first {@code problems} test problems */
  public record Quality(String name, long parameters, double brownPerplexity, double kjvPerplexity,
                        double arithAccuracy, int problems, double seconds) {}

  private QualityEval() {}

  public static Quality evaluate(String name, Path modelDir, DataLayout data, Options o, Consumer<String> progress)
      throws IOException {
    long start = System.nanoTime();
    // evaluation runs libtorch's forward pass over whole windows, on the checkpoint's own values
    try (LoadedModel m = LoadedModel.load(modelDir, WeightFormat.FP32)) {
      progress.accept(name + ": perplexity");
      double brown = perplexity(m, data, Domain.BROWN, o);
      double kjv = perplexity(m, data, Domain.KJV, o);
      progress.accept(name + ": arithmetic");
      String context = data.arithmeticShots(SHOTS);
      List<ArithmeticProblem> test = data.readProblems(Split.TEST);
      int n = Math.min(o.problems(), test.size());
      int correct = 0;
      LocalLanguageModel port = new LocalLanguageModel(m.model());
      for (int i = 0; i < n; i++) {
        ArithmeticProblem p = test.get(i);
        int[] prompt = m.tokenizer().encode(context + p.prompt());
        Generator.Result r = Generator.generate(port, prompt,
            new Generator.Options(ANSWER_TOKENS, SamplingParams.GREEDY, 0, m.generation().eosIds()), id -> {});
        if (p.isExactMatch(m.tokenizer().decode(r.tokens(), true))) correct++;
      }
      return new Quality(name, m.model().config().parameterCount(), brown, kjv, (double) correct / n, n, (System.nanoTime() - start) / 1e9);
    }
  }

  private static double perplexity(LoadedModel m, DataLayout data, Domain domain, Options o) throws IOException {
    TokenCorpus corpus = TokenizedData.corpus(data, m.tokenizer(), domain, Split.VAL, 1.0);
    return Math.exp(Evaluation.meanLoss(m.model(), corpus, o.seqLen(), 8, o.maxWindows()));
  }

  /** A Markdown table, smallest model first. */
  public static String markdown(List<Quality> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| model | parameters | Brown val perplexity | KJV val perplexity | arithmetic exact match |\n");
    sb.append("|---|---:|---:|---:|---:|\n");
    for (Quality q : rows) {
      sb.append(String.format("| %s | %.2f M | %.1f | %.1f | %.1f%% |%n", q.name(), q.parameters() / 1e6,
          q.brownPerplexity(), q.kjvPerplexity(), 100 * q.arithAccuracy()));
    }
    if (!rows.isEmpty()) sb.append(String.format("%nArithmetic: %d test problems per model, greedy, %d solved validation problems as context.%n", rows.get(0).problems(), SHOTS));
    return sb.toString();
  }
}
