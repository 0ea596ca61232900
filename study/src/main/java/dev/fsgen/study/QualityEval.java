package dev.fsgen.study;

import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.training.Evaluation;
import dev.fsgen.training.TokenCorpus;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The quality of each model of the family, with 95% intervals: perplexity on every text domain's
 * validation split (teacher-forced, consecutive windows; the windows are what the interval
 * resamples), and greedy exact match on each task's test problems, prompted exactly as the study
 * prompts them ({@link PromptSet}: the same shots, budget and stop rule; the problems are what the
 * interval resamples). The study's premise, that each size is better than the next smaller one, is
 * read off these intervals by {@link #neighbours}.
 */
public final class QualityEval {
  /** Tokens a perplexity window: the training windows' length. */
  public static final int WINDOW = 256;

  /**
   * @param maxWindows windows per text domain at most
   * @param problems test problems per task at most (fewer where the split holds fewer)
   */
  public record Options(int maxWindows, int problems) {
    public Options {
      if (maxWindows < 2 || problems < 2) {
        throw new IllegalArgumentException("quality evaluation needs 2+ windows and 2+ problems (an interval resamples them): " + this);
      }
    }
  }

  /**
   * One figure of one model.
   *
   * @param name e.g. "brown perplexity" or "word-problems exact match"
   * @param higherIsBetter true for accuracy, false for perplexity
   * @param value the figure with its 95% interval (accuracy as a fraction)
   * @param units windows or problems it was measured on
   */
  public record Measure(String name, boolean higherIsBetter, Bootstrap.Interval value, int units) {}

  /** @param tuned whether the model is a Bible-tuned variant (left out of the neighbour comparison) */
  public record Quality(String name, long parameters, boolean tuned, List<Measure> measures, double seconds) {
    Measure measure(String measure) {
      return measures.stream().filter(m -> m.name().equals(measure)).findFirst().orElse(null);
    }
  }

  /** Whether a size beats the next smaller one on every measure they share, with disjoint intervals. */
  public record Neighbours(String smaller, String larger, int measures, List<String> notSeparated) {
    public boolean separated() {
      return notSeparated.isEmpty();
    }
  }

  private QualityEval() {}

  public static Quality evaluate(String name, Path modelDir, DataLayout data, Options o, Consumer<String> progress) throws IOException {
    long start = System.nanoTime();
    List<Measure> measures = new ArrayList<>();
    // evaluation runs libtorch's forward pass over whole windows, on the checkpoint's own values
    try (LoadedModel m = LoadedModel.load(modelDir, WeightFormat.FP32)) {
      for (Domain d : data.domains()) {
        // a task's worked text has a perplexity too: it still tells sizes apart where their answers are all wrong
        boolean isTask = task(d) != null;
        progress.accept(name + ": " + d.dirName() + " perplexity");
        TokenCorpus corpus = TokenizedData.corpus(data, m.tokenizer(), d, Split.VAL, 1.0);
        double[] losses = Evaluation.windowLosses(m.model(), corpus, WINDOW, o.maxWindows());
        if (losses.length < 2 && isTask) {
          progress.accept(name + ": " + d.dirName() + " validation text gives " + losses.length + " window(s); only its answers are measured");
          continue;
        }
        if (losses.length < 2) {
          throw new IllegalArgumentException(d.dirName() + " validation text gives " + losses.length + " window(s) of " + WINDOW
              + " tokens; its perplexity's interval needs at least 2");
        }
        measures.add(new Measure(d.dirName() + " perplexity", false, perplexity(losses), losses.length));
      }
      LocalLanguageModel port = new LocalLanguageModel(m.model());
      ModelPair alone = new ModelPair(port, port);
      for (StudyDomain task : StudyDomain.in(data)) {
        if (!task.exactMatch) continue;
        int n = Math.min(o.problems(), available(task, data));
        if (n < 2) throw new IllegalArgumentException(task.id + " test split holds " + n + " problem(s); its accuracy's interval needs at least 2");
        progress.accept(name + ": " + task.id + ", " + n + " problems");
        List<Prompt> prompts = PromptSet.build(task, data, m.tokenizer(), new PromptSet.Sizes(1, 1, 1, n));
        boolean[] correct = new boolean[n];
        // the solved problems every prompt begins with are read once (SharedPrefix)
        int[] prefix = SharedPrefix.commonPrefix(prompts);
        try (SharedPrefix shared = SharedPrefix.worthSharing(prefix) ? new SharedPrefix(port, prefix) : null) {
          ModelPair model = shared == null ? alone : new ModelPair(shared, shared);
          for (int i = 0; i < n; i++) {
            Prompt p = prompts.get(i);
            Outcome out = new SingleModel(SingleModel.Role.SYSTEM1).run(model, p.tokens(), p.greedyRequest(), TokenSink.NONE);
            correct[i] = p.problem().isExactMatch(m.tokenizer().decode(out.tokens(), true));
          }
        }
        measures.add(new Measure(task.id + " exact match", true, Intervals.accuracy(correct), n));
      }
      boolean tuned = name.endsWith(FamilyModels.TUNED_SUFFIX);
      return new Quality(name, m.model().config().parameterCount(), tuned, measures, (System.nanoTime() - start) / 1e9);
    }
  }

  /** The study task a domain's problems make, or null for a text domain. */
  private static StudyDomain task(Domain d) {
    return Arrays.stream(StudyDomain.values()).filter(t -> t.exactMatch && t.data == d).findFirst().orElse(null);
  }

  private static int available(StudyDomain task, DataLayout data) throws IOException {
    return task == StudyDomain.WORD_PROBLEMS ? data.readWordProblems(Split.TEST).size() : data.readProblems(Split.TEST).size();
  }

  /** exp(mean loss) with the windows resampled: every window has the same tokens, so the mean of their means is the token mean. */
  static Bootstrap.Interval perplexity(double[] windowLosses) {
    List<Double> windows = Arrays.stream(windowLosses).boxed().toList();
    return Intervals.BOOTSTRAP.of(windows, w -> Math.exp(w.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
  }

  /** Each general model against the next smaller one (the Bible-tuned variants left out), smallest first. */
  public static List<Neighbours> neighbours(List<Quality> rows) {
    List<Quality> general = rows.stream().filter(q -> !q.tuned())
        .sorted(java.util.Comparator.comparingLong(Quality::parameters)).toList();
    List<Neighbours> out = new ArrayList<>();
    for (int i = 1; i < general.size(); i++) {
      Quality small = general.get(i - 1);
      Quality large = general.get(i);
      List<String> not = new ArrayList<>();
      int shared = 0;
      for (Measure l : large.measures()) {
        Measure s = small.measure(l.name());
        if (s == null) continue;
        shared++;
        boolean better = l.higherIsBetter() ? l.value().low() > s.value().high() : l.value().high() < s.value().low();
        if (!better) not.add(l.name());
      }
      out.add(new Neighbours(small.name(), large.name(), shared, not));
    }
    return out;
  }

  /** A Markdown table (every figure with its interval, smallest model first), then the neighbour comparison. */
  public static String markdown(List<Quality> rows) {
    StringBuilder sb = new StringBuilder();
    if (rows.isEmpty()) return "No models were evaluated.\n";
    List<Measure> columns = rows.get(0).measures();
    sb.append("| model | parameters |");
    for (Measure c : columns) sb.append(' ').append(c.name()).append(" |");
    sb.append("\n|---|---:|");
    sb.append("---:|".repeat(columns.size())).append('\n');
    for (Quality q : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %.2f M |", q.name(), q.parameters() / 1e6));
      for (Measure c : columns) {
        Measure m = q.measure(c.name());
        sb.append(' ').append(m == null ? "—" : figure(m)).append(" |");
      }
      sb.append('\n');
    }
    sb.append(String.format(Locale.ROOT, "%nEach figure is followed by its 95%% interval (bootstrap, %d resamples). Perplexity: %d-token windows of the"
        + " validation split, the windows resampled (%s). Exact match: greedy, prompted as the study prompts (%d solved validation"
        + " problems before an arithmetic problem, %d before a word problem), the problems resampled (%s).%n",
        Bootstrap.DEFAULT_RESAMPLES, WINDOW, units(rows, false), PromptSet.SHOTS, PromptSet.WORD_SHOTS, units(rows, true)));
    List<Neighbours> pairs = neighbours(rows);
    if (!pairs.isEmpty()) {
      sb.append("\nEach size against the next smaller one (better on every measure, with 95% intervals that do not overlap):\n\n");
      for (Neighbours n : pairs) {
        sb.append(n.separated()
            ? String.format(Locale.ROOT, "- %s → %s: better on all %d measures, intervals disjoint%n", n.smaller(), n.larger(), n.measures())
            : String.format(Locale.ROOT, "- %s → %s: better with disjoint intervals on %d of %d measures; **not on %s**%n", n.smaller(), n.larger(),
                n.measures() - n.notSeparated().size(), n.measures(), String.join(", ", n.notSeparated())));
      }
    }
    return sb.toString();
  }

  private static String figure(Measure m) {
    Bootstrap.Interval v = m.value();
    return m.higherIsBetter()
        ? String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * v.estimate(), 100 * v.low(), 100 * v.high())
        : String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", v.estimate(), v.low(), v.high());
  }

  /** "brown 292, kjv 170" windows or problems per measure, as measured on the first model. */
  private static String units(List<Quality> rows, boolean problems) {
    List<String> parts = new ArrayList<>();
    for (Measure m : rows.get(0).measures()) {
      if (m.higherIsBetter() == problems) parts.add(m.name().substring(0, m.name().indexOf(' ')) + " " + m.units());
    }
    return String.join(", ", parts);
  }
}
