package dev.fsgen.study;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.InProcessModel;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Producer;
import dev.fsgen.decoding.RouterFit;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.decoding.Uncertainty;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Runs the study's measurements: every method on every pair and prompt set, then the router sweep
 * on the pairs with the largest model. Each finished measurement is saved under the work directory
 * as it completes, so an interrupted run picks up where it stopped; the same options give the same
 * results (greedy decoding throughout).
 */
public final class StudyRunner {
  /**
   * @param quick fewer thresholds in the sweep
   */
  public record Options(DataLayout data, Path workDir, PromptSet.Sizes sizes, boolean quick) {}

  public record Results(List<UnitResult> units, List<SweepResult> sweep) {}

  /** One measurement: where it is saved, its estimated cost (for the ETA), and what runs it (returning a progress message). */
  private record Task(Path file, double cost, Measurement run) {}

  private interface Measurement {
    String run() throws IOException;
  }

  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  private final FamilyModels family;
  private final Options options;
  private final Progress.Sink progress;

  /**
   * @param progress where the study's progress line goes: redrawn in place on a terminal
   *     ({@link Progress#sink(java.io.PrintStream)}), one line per measurement in a log
   */
  public StudyRunner(FamilyModels family, Options options, Progress.Sink progress) {
    this.family = family;
    this.options = options;
    this.progress = progress;
  }

  /** Something done after each measurement is saved (the wall-time clock's lap). */
  @FunctionalInterface
  public interface AfterEach {
    void measured() throws IOException;
  }

  public Results run() throws IOException {
    return run(() -> {});
  }

  public Results run(AfterEach afterEach) throws IOException {
    Map<StudyDomain, List<Prompt>> prompts = new EnumMap<>(StudyDomain.class);
    List<StudyDomain> domains = StudyDomain.in(options.data());
    try (TextTokenizer tokenizer = family.tokenizer()) {
      for (StudyDomain d : domains) prompts.put(d, PromptSet.build(d, options.data(), tokenizer, options.sizes()));
      Map<StudyDomain, List<Prompt>> validation = new EnumMap<>(StudyDomain.class);
      for (StudyDomain task : sweptTasks(domains)) {
        validation.put(task, ValidationPrompts.build(task, options.data(), tokenizer, sweepProblems(task)));
      }
      List<Task> tasks = plan(prompts, validation, tokenizer);
      double total = tasks.stream().mapToDouble(Task::cost).sum();
      // measurements saved by an earlier run are kept; the rest run in plan order
      List<Task> todo = tasks.stream().filter(t -> !Files.exists(t.file())).toList();
      try (Progress line = progress.start("study", "measurement", tasks.size()).weighted(total)) {
        if (!todo.isEmpty() && todo.size() < tasks.size()) {
          line.resumed(tasks.size() - todo.size(), total - todo.stream().mapToDouble(Task::cost).sum(), options.workDir());
        }
        for (Task t : todo) {
          line.finished(t.cost(), t.run().run());
          afterEach.measured();
        }
      }
    }
    List<UnitResult> units = new ArrayList<>();
    List<SweepResult> sweep = new ArrayList<>();
    for (FamilyModels.Pair pair : family.pairs()) {
      for (StudyDomain d : domains) {
        for (Method m : methods(pair, d)) units.add(read(unitFile(pair, d, m), UnitResult.class));
      }
    }
    for (StudyDomain task : sweptTasks(domains)) {
      for (FamilyModels.Pair pair : sweepPairs(task)) {
        for (RouterSweep r : RouterSweep.values()) {
          for (double th : r.thresholds(options.quick())) {
            for (String split : SPLITS) sweep.add(read(sweepFile(pair, task, r, th, split), SweepResult.class));
          }
        }
      }
    }
    return new Results(units, sweep);
  }

  /** The methods measured for a pair on a domain: collaboration methods everywhere, accuracy baselines where answers are scored. */
  static List<Method> methods(FamilyModels.Pair pair, StudyDomain domain) {
    List<Method> out = new ArrayList<>();
    for (Method m : Method.values()) {
      if (m.needsTunedSmall() && pair.smallTuned() == null) continue;
      // gated handoff on the word problems is the router sweep's, with thresholds chosen on validation: fixed
      // thresholds there would add two full generations per pair, the costliest units of the study, for less
      if (domain == StudyDomain.WORD_PROBLEMS && (m == Method.GATED_TOP1 || m == Method.GATED_MARGIN)) continue;
      if (m.collaboration || domain.exactMatch) out.add(m);
    }
    return out;
  }

  /** The router sweep runs on validation (thresholds chosen there, the learned router trained there) and on test (reported). */
  private static final List<String> SPLITS = List.of(SweepResult.VALIDATION, SweepResult.TEST);

  private List<Task> plan(Map<StudyDomain, List<Prompt>> prompts, Map<StudyDomain, List<Prompt>> validation, TextTokenizer tokenizer) {
    List<Task> tasks = new ArrayList<>();
    for (FamilyModels.Pair pair : family.pairs()) {
      for (StudyDomain d : prompts.keySet()) {
        for (Method m : methods(pair, d)) {
          Path file = unitFile(pair, d, m);
          tasks.add(new Task(file, cost(pair, prompts.get(d)), () -> {
            UnitResult u = measure(pair, d, m, prompts.get(d), tokenizer);
            write(file, u);
            return String.format(Locale.ROOT, "%s %s %s: CF %.1f%%", pair.id(), d.id, m.id, 100 * u.collaborationFrequency());
          }));
        }
      }
    }
    for (StudyDomain task : validation.keySet()) {
      for (FamilyModels.Pair pair : sweepPairs(task)) {
        // System 2 alone on the validation problems: the learned router's training data and the sweep's reference there
        Path valOracle = validationOracleFile(pair, task);
        tasks.add(new Task(valOracle, cost(pair, validation.get(task)), () -> {
          write(valOracle, measure(pair, task, Method.ORACLE, validation.get(task), tokenizer));
          return pair.id() + " " + task.id + " validation oracle";
        }));
      }
      for (FamilyModels.Pair pair : sweepPairs(task)) {
        for (String split : SPLITS) {
          List<Prompt> test = prompts.get(task);
          List<Prompt> on = split.equals(SweepResult.VALIDATION) ? validation.get(task) : test.subList(0, Math.min(test.size(), sweepProblems(task)));
          // one task per pair and split: every router and threshold runs on a problem before the next problem,
          // so that the problem's scores are computed once (PrefixMemo); its last file is written last
          RouterSweep last = RouterSweep.values()[RouterSweep.values().length - 1];
          double[] lastThresholds = last.thresholds(options.quick());
          Path file = sweepFile(pair, task, last, lastThresholds[lastThresholds.length - 1], split);
          // a short answer's runs share nearly every score; a worked solution's runs part early and share far fewer
          double runs = task == StudyDomain.ARITHMETIC ? 2 : 10;
          tasks.add(new Task(file, runs * cost(pair, on), () -> sweep(pair, task, on, tokenizer, split)));
        }
      }
    }
    return tasks;
  }

  /**
   * The pairs a task's router sweep runs on: on arithmetic every pair with the largest model. On the
   * word problems each threshold's run follows its own path for tens of tokens, and the System 2
   * calls it makes there are shared by few other runs, so the sweep costs many times a short
   * answer's: it runs on the one pair of the largest model with the small model nearest the
   * family's geometric middle (m with xl in the standard family, the bundled pair's sizes).
   */
  private List<FamilyModels.Pair> sweepPairs(StudyDomain task) {
    List<FamilyModels.Pair> all = family.pairsWithLargest();
    if (task == StudyDomain.ARITHMETIC || all.size() <= 1) return all;
    List<FamilyModels.Member> sizes = family.general();
    double middle = Math.sqrt((double) sizes.get(0).parameters() * sizes.get(sizes.size() - 1).parameters());
    return List.of(all.stream().min(java.util.Comparator.comparingDouble(p -> Math.abs(Math.log(p.small().parameters() / middle)))).orElseThrow());
  }

  /**
   * Word problems a sweep runs on, of validation and of test each. A worked solution's sweep costs
   * many times a short answer's (about 50 minutes for m→xl at 300 and 300 on this 2-core machine, by
   * the quick run of s→m scaled to xl), so it takes the first 300 of each split; 300 problems give
   * an accuracy near 10% an interval of about ±3.5 points. Arithmetic sweeps every problem.
   */
  static final int WORD_SWEEP_PROBLEMS = 300;

  private int sweepProblems(StudyDomain task) {
    int all = options.sizes().problems();
    return task == StudyDomain.ARITHMETIC ? all : Math.min(all, WORD_SWEEP_PROBLEMS);
  }

  /**
   * The tasks the router sweep runs on: every task scored by exact match (arithmetic, and the word
   * problems where the data has them), each with its own validation problems.
   */
  private static List<StudyDomain> sweptTasks(List<StudyDomain> domains) {
    return domains.stream().filter(d -> d.exactMatch).toList();
  }

  /** Relative cost for the ETA: both models run about once per prompt and generated token. */
  private static double cost(FamilyModels.Pair pair, List<Prompt> prompts) {
    double tokens = 0;
    for (Prompt p : prompts) tokens += p.maxTokens() + p.tokens().length / 8.0; // a prefill token is much cheaper than a step
    return tokens * (pair.large().parameters() + 2.0 * pair.small().parameters() + 1e6);
  }

  /**
   * The pair's models for a method, each reading the prompts' common prefix once where they share
   * one ({@link SharedPrefix}); the caller closes what is added to {@code opened}.
   */
  private ModelPair models(FamilyModels.Pair pair, Method m, int[] prefix, List<SharedPrefix> opened) {
    if (m.needsTunedSmall()) {
      return new ModelPair(load(pair.smallTuned(), prefix, opened), load(pair.large(), prefix, opened), load(pair.small(), prefix, opened));
    }
    return new ModelPair(load(pair.small(), prefix, opened), load(pair.large(), prefix, opened));
  }

  private InProcessModel load(FamilyModels.Member member, int[] prefix, List<SharedPrefix> opened) {
    LocalLanguageModel model = family.model(member);
    if (!SharedPrefix.worthSharing(prefix)) return model;
    SharedPrefix shared = new SharedPrefix(model, prefix);
    opened.add(shared);
    return shared;
  }

  private UnitResult measure(FamilyModels.Pair pair, StudyDomain domain, Method method, List<Prompt> prompts, TextTokenizer tokenizer) {
    List<SharedPrefix> opened = new ArrayList<>();
    try {
      long start = System.nanoTime();
      return measure(models(pair, method, SharedPrefix.commonPrefix(prompts), opened), start, pair, domain, method, prompts, tokenizer);
    } finally {
      opened.forEach(SharedPrefix::close);
    }
  }

  private UnitResult measure(ModelPair models, long start, FamilyModels.Pair pair, StudyDomain domain, Method method, List<Prompt> prompts,
      TextTokenizer tokenizer) {
    int tokens = 0, scored = 0, differing = 0, drafted = 0, accepted = 0, corrections = 0, rounds = 0, bySystem2 = 0, correct = 0;
    List<UnitResult.TokenRecord> records = new ArrayList<>();
    List<String> outputs = domain.exactMatch ? new ArrayList<>() : null;
    boolean[] correctByPrompt = outputs == null ? null : new boolean[prompts.size()];
    for (Prompt p : prompts) {
      Outcome o = method.strategy.run(models, p.tokens(), p.greedyRequest(), TokenSink.NONE);
      int n = o.tokens().length;
      Boolean[] fromBase = method == Method.PROXY ? ProxyBase.differences(models.system1Base(), p.tokens(), o.tokens()) : new Boolean[n];
      tokens += n;
      scored += o.scored();
      differing += o.differing();
      drafted += o.drafted();
      accepted += o.accepted();
      rounds += o.system2Calls();
      for (int i = 0; i < n; i++) {
        boolean correction = o.producers()[i] == Producer.SYSTEM2_CORRECTION;
        if (correction) corrections++;
        if (o.producers()[i].bySystem2()) bySystem2++;
        int choice = o.system1Choices()[i];
        boolean intervened = choice >= 0 ? choice != o.tokens()[i] : correction;
        Uncertainty u = o.uncertainty()[i];
        String piece = tokenizer.decode(new int[] {o.tokens()[i]}, false);
        records.add(u == null
            ? new UnitResult.TokenRecord(p.index(), i, n, intervened, Double.NaN, Double.NaN, Double.NaN, null, piece, fromBase[i])
            : new UnitResult.TokenRecord(p.index(), i, n, intervened, u.entropy(), u.top1(), u.margin(),
                method == Method.ORACLE ? u.topK() : null, piece, fromBase[i]));
      }
      if (outputs != null) {
        String answer = tokenizer.decode(o.tokens(), true);
        outputs.add(answer);
        if (p.problem().isExactMatch(answer)) {
          correct++;
          correctByPrompt[p.index()] = true;
        }
      }
    }
    return new UnitResult(pair.id(), pair.small().name(), pair.large().name(), pair.small().parameters(), pair.large().parameters(),
        domain.id, method.id, prompts.size(), tokens, scored, differing, drafted, accepted, corrections, rounds, bySystem2, correct,
        (System.nanoTime() - start) / 1e9, records, outputs, correctByPrompt);
  }

  /** One router at one threshold while the sweep runs: its per-problem results so far. */
  private static final class SweepRun {
    final RouterSweep router;
    final double threshold;
    final Gated gated;
    final boolean[] correct;
    final boolean[] agreeing;
    double tokens;
    double bySystem2;
    long nanos;

    SweepRun(RouterSweep router, double threshold, RouterFit.Result learned, int problems) {
      this.router = router;
      this.threshold = threshold;
      this.gated = new Gated(router.router(threshold, learned), 1.0);
      this.correct = new boolean[problems];
      this.agreeing = new boolean[problems];
    }

    SweepResult result(String pair, StudyDomain task, String split) {
      int c = 0, a = 0;
      for (int i = 0; i < correct.length; i++) {
        if (correct[i]) c++;
        if (agreeing[i]) a++;
      }
      return new SweepResult(pair, router.name(), threshold, correct.length, c, a, tokens == 0 ? 0 : bySystem2 / tokens, nanos / 1e9,
          split, correct, agreeing, task.id);
    }
  }

  /**
   * Gated handoff with every router at every threshold on one split's problems. Each problem is run
   * by all of them before the next, over models that remember their scores for the problem
   * ({@link PrefixMemo}): the runs share most prefixes, so each is scored once instead of once per run.
   */
  private String sweep(FamilyModels.Pair pair, StudyDomain task, List<Prompt> prompts, TextTokenizer tokenizer, String split) throws IOException {
    UnitResult valOracle = read(validationOracleFile(pair, task), UnitResult.class);
    // the learned router is trained on the task's own validation problems, never on the test ones it is scored on
    RouterFit.Result learned = RouterSweep.fitLearned(List.of(valOracle));
    // System 2 alone's outputs (the oracle's output is System 2's greedy generation): a run agrees where its final answer is the same
    List<String> reference = split.equals(SweepResult.VALIDATION) ? valOracle.outputs()
        : read(unitFile(pair, task, Method.ORACLE), UnitResult.class).outputs();
    List<SweepRun> runs = new ArrayList<>();
    for (RouterSweep r : RouterSweep.values()) {
      for (double th : r.thresholds(options.quick())) runs.add(new SweepRun(r, th, r == RouterSweep.LEARNED ? learned : null, prompts.size()));
    }
    List<SharedPrefix> opened = new ArrayList<>();
    int[] prefix = SharedPrefix.commonPrefix(prompts);
    PrefixMemo small = new PrefixMemo(load(pair.small(), prefix, opened));
    PrefixMemo large = new PrefixMemo(load(pair.large(), prefix, opened));
    ModelPair models = new ModelPair(small, large);
    try {
      for (int i = 0; i < prompts.size(); i++) {
        Prompt p = prompts.get(i);
        small.forget();
        large.forget();
        OptionalLong system2Answer = task.finalAnswer(reference.get(i));
        for (SweepRun run : runs) {
          long start = System.nanoTime();
          Outcome o = run.gated.run(models, p.tokens(), p.greedyRequest(), TokenSink.NONE);
          run.nanos += System.nanoTime() - start;
          String answer = tokenizer.decode(o.tokens(), true);
          run.correct[i] = p.problem().isExactMatch(answer);
          run.agreeing[i] = task.finalAnswer(answer).equals(system2Answer);
          run.tokens += o.tokens().length;
          run.bySystem2 += o.system2TokenShare() * o.tokens().length;
        }
      }
    } finally {
      small.forget();
      large.forget();
      opened.forEach(SharedPrefix::close);
    }
    List<SweepResult> results = new ArrayList<>();
    for (SweepRun run : runs) {
      SweepResult r = run.result(pair.id(), task, split);
      write(sweepFile(pair, task, run.router, run.threshold, split), r);
      results.add(r);
    }
    SweepResult best = results.stream().max(java.util.Comparator.comparingDouble(SweepResult::accuracy)).orElseThrow();
    return String.format(Locale.ROOT, "%s %s sweep (%s): %d router settings, %.0f%% of System 2's scores reused; best accuracy %.1f%% (%s %s)",
        pair.id(), task.id, split, runs.size(), 100 * large.reused(), 100 * best.accuracy(), best.router().toLowerCase(Locale.ROOT), best.threshold());
  }

  private Path unitFile(FamilyModels.Pair pair, StudyDomain d, Method m) {
    return options.workDir().resolve("units").resolve(pair.key()).resolve(d.id + "-" + m.name().toLowerCase(Locale.ROOT) + ".json");
  }

  private Path sweepFile(FamilyModels.Pair pair, StudyDomain task, RouterSweep r, double threshold, String split) {
    // arithmetic's files keep the names they had when it was the only task swept
    String dir = (split.equals(SweepResult.TEST) ? "sweep" : "sweep-" + split) + (task == StudyDomain.ARITHMETIC ? "" : "-" + task.id);
    return options.workDir().resolve(dir).resolve(pair.key()).resolve(r.name().toLowerCase(Locale.ROOT) + "-" + threshold + ".json");
  }

  private Path validationOracleFile(FamilyModels.Pair pair, StudyDomain task) {
    return options.workDir().resolve("units-val").resolve(pair.key()).resolve(task.id + "-oracle.json");
  }

  private static void write(Path file, Object value) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, GSON.toJson(value));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static <T> T read(Path file, Class<T> type) throws IOException {
    return GSON.fromJson(Files.readString(file), type);
  }
}
