package dev.fsgen.bench;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SingleModelOptions;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.decoding.v1.Summary;
import dev.fsgen.proto.decoding.v1.Token;
import dev.fsgen.proto.decoding.v1.TokenProducer;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.service.ModelServer;
import dev.fsgen.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Speculative decoding against System 2 alone, through the real services on loopback, in one run.
 * For each draft length gamma it reports the per-token acceptance probability alpha, the cost ratio
 * c (System 1 step / System 2 step, both measured here in process) and the speedup Leviathan et
 * al. predict from them, (1 - alpha^(gamma+1)) / ((1 - alpha)(gamma c + 1)), beside the measured
 * one. Baseline runs bracket the speculative ones so that drift on a shared machine shows.
 *
 * <p>The same generations also run in process (the strategy over the models directly, no
 * services): the speedup there is what the pair gives on this machine, and the gRPC speedup
 * divided by it is the share of that gain the services keep.
 */
public final class SpeculativeBench {
  private SpeculativeBench() {}

  /** Speculative tokens/s over System 2 alone's, single stream, through the services. */
  public static final double SPEEDUP_TARGET = 2.0;
  /** Measured speedup over the one the formula expects from the measured alpha and c, at every gamma. */
  public static final double FIDELITY_TARGET = 0.9;

  public static final List<String> PROMPTS = List.of(
      "The history of the city", "She looked at the", "The committee said that", "It was a cold morning and",
      "After the war, the", "The results of the study show", "There is no doubt that", "The church was built in",
      "According to the report,", "They walked down the road", "On the other hand,", "A small boy came into the room");

  /**
   * Prompts written for this benchmark and used nowhere else, not drawn from any corpus or split:
   * what a new user would type. Speculative decoding's acceptance on them says how the pair does
   * away from the text it was trained on.
   */
  public static final List<String> FRESH_PROMPTS = List.of(
      "My grandmother kept a garden behind the house where", "The train was late again, so we", "When the doctor finally arrived, she",
      "Nobody in the village could remember why the bridge", "The best way to learn a new language is", "He opened the letter and read",
      "In the morning the market is full of", "The old machine in the basement still", "Our team lost the first game, but",
      "The price of bread has risen because", "She had never seen the ocean before, and", "At the end of the meeting the manager");

  /** Lines of the Brown corpus's test split this many words long are cut to prompts. */
  private static final int TEST_PROMPT_WORDS = 8;

  /**
   * A named prompt set: {@code own} (the benchmark's fixed set), {@code fresh}
   * ({@link #FRESH_PROMPTS}) or {@code test} (the first {@link #TEST_PROMPT_WORDS} words of
   * the Brown test split's first lines, from the prepared data in {@code data}; the set's size is
   * that of the others).
   */
  public static List<String> promptSet(String name, Path data) {
    return switch (name) {
      case "own" -> PROMPTS;
      case "fresh" -> FRESH_PROMPTS;
      case "test" -> {
        dev.fsgen.training.data.DataLayout layout = new dev.fsgen.training.data.DataLayout(data);
        List<String> out = new ArrayList<>();
        try {
          for (String line : layout.readLines(dev.fsgen.training.data.Domain.BROWN, dev.fsgen.training.data.Split.TEST)) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 * TEST_PROMPT_WORDS) continue; // a long sentence: its continuation is prose too
            out.add(String.join(" ", java.util.Arrays.copyOf(words, TEST_PROMPT_WORDS)));
            if (out.size() == PROMPTS.size()) break;
          }
        } catch (java.io.IOException | RuntimeException e) {
          throw new IllegalArgumentException("the test-split prompts need the prepared data in " + data
              + " (./fsgen data): " + e.getMessage(), e);
        }
        if (out.size() < PROMPTS.size()) throw new IllegalArgumentException("the Brown test split in " + data + " has too few long lines");
        yield out;
      }
      default -> throw new IllegalArgumentException("prompt set must be own, fresh or test, got '" + name + "'");
    };
  }

  /**
   * @param promptSet the set's name (see {@link #promptSet}); {@code promptList} its prompts
   * @param adaptive whether to compare the adaptive draft length with the fixed ones too
   */
  public record Settings(Path system1, Path system2, int prompts, int maxTokens, int minGamma, int maxGamma, int repeats,
      String promptSet, List<String> promptList, boolean adaptive) {
    public Settings {
      if (repeats < 1) throw new IllegalArgumentException("--repeats must be at least 1");
      if (prompts < 1 || prompts > promptList.size()) throw new IllegalArgumentException("--prompts must be in [1, " + promptList.size() + "]");
      if (maxTokens < 2) throw new IllegalArgumentException("--max-tokens must be at least 2");
      if (minGamma < 1 || maxGamma < minGamma || maxGamma > 16) throw new IllegalArgumentException("gammas must satisfy 1 <= min <= max <= 16");
    }
  }

  /**
   * One configuration over the prompt set.
   *
   * @param system1Busy seconds System 1 spent computing (its service's own count), likewise System 2
   * @param wireBytes message bytes between the orchestrator and the model services: {System 1 sent,
   *     System 1 received, System 2 sent, System 2 received}
   */
  public record Run(String strategy, int tokens, double seconds, double tokensPerSecond, int accepted, int corrections,
      int drafted, int system1Calls, int system2Calls, double collaborationFrequency, double system1Busy, double system2Busy,
      long[] wireBytes) {
    /** Message bytes to and from both model services per generated token. */
    public double bytesPerToken() {
      long sum = 0;
      for (long b : wireBytes) sum += b;
      return tokens == 0 ? 0 : (double) sum / tokens;
    }

    /** Share of the wall time in which neither model computed: transport, orchestration, streaming. */
    public double overheadShare() {
      return Math.max(0, 1 - (system1Busy + system2Busy) / seconds);
    }

    /** Several runs of one configuration as one. */
    static Run merge(List<Run> runs) {
      int tokens = 0, accepted = 0, corrections = 0, drafted = 0, calls1 = 0, calls2 = 0;
      double seconds = 0, cf = 0, busy1 = 0, busy2 = 0;
      long[] wire = new long[4];
      for (Run r : runs) {
        for (int i = 0; i < wire.length; i++) wire[i] += r.wireBytes[i];
        tokens += r.tokens;
        seconds += r.seconds;
        accepted += r.accepted;
        corrections += r.corrections;
        drafted += r.drafted;
        calls1 += r.system1Calls;
        calls2 += r.system2Calls;
        cf += r.collaborationFrequency * r.tokens;
        busy1 += r.system1Busy;
        busy2 += r.system2Busy;
      }
      return new Run(runs.get(0).strategy, tokens, seconds, tokens / seconds, accepted, corrections, drafted, calls1, calls2,
          cf / tokens, busy1, busy2, wire);
    }
  }

  /**
   * One draft length: the speculative run and the System-2-only runs beside it.
   *
   * @param expectedAtVerifyCost the same formula with the round's verification costing what it was
   *     measured to cost ({@code verifyOverStep} System 2 steps) instead of one step
   * @param inProcess speedup of the same generations run in process (no services)
   * @param kept measured ÷ inProcess: the share of the in-process gain that survives the services
   * @param ahead speedup with drafting ahead (System 1 drafts the next block while System 2 verifies)
   */
  public record Row(int gamma, double alpha, double c, double expected, double measured, double measuredOverExpected,
      double verifyOverStep, double expectedAtVerifyCost, double inProcess, double kept, double ahead, Run run, Run aheadRun,
      Run baseline) {}

  public record Figures(String system1, String system2, long system1Parameters, long system2Parameters, String promptSet, int prompts,
      int maxTokens, int repeats, double system1StepMs, double system2StepMs, double system1StepAfterSystem2Ms,
      double c, double system2TokensPerSecond, double system2InProcessTokensPerSecond,
      List<Row> rows, double bestSpeedup, int bestGamma, boolean bestDraftsAhead, double worstMeasuredOverExpected, boolean speedupTargetMet,
      boolean fidelityTargetMet, List<AdaptiveDrafting.Row> adaptive) {}

  public static Figures measure(Settings s, Consumer<String> progress) {
    return measure(s, Progress.sink(progress));
  }

  /**
   * The runs this benchmark times, each weighing the tokens it generates (for the ETA): the step
   * timing, the warm-up, each draft length's runs and the adaptive comparison.
   */
  private record Plan(long runs, double tokens) {
    static Plan of(Settings s) {
      int gammas = s.maxGamma() - s.minGamma() + 1;
      long runs = STEP_TIMING_RUNS + 1 + (long) gammas * s.repeats() * 5;
      double tokens = STEP_TIMING_TOKENS + warmUpTokens(s) + (double) gammas * s.repeats() * 5 * s.prompts() * s.maxTokens();
      if (s.adaptive()) {
        runs += AdaptiveDrafting.runs(s.repeats());
        tokens += AdaptiveDrafting.tokens(s.maxTokens(), s.repeats());
      }
      return new Plan(runs, tokens);
    }
  }

  /** The step timing counts as one run, weighing about as much as a run of the fixed set (it times both models in process). */
  private static final int STEP_TIMING_RUNS = 1;
  private static final double STEP_TIMING_TOKENS = 4 * 128;

  private static double warmUpTokens(Settings s) {
    int gammas = s.maxGamma() - s.minGamma() + 1;
    return 2 * (4 * 64 + gammas * 2 * 3 * 64 + 2 * 4 * 64);
  }

  /** The benchmark, its progress counted in timed runs on a line that {@code sink} starts. */
  public static Figures measure(Settings s, Progress.Sink sink) {
    Plan plan = Plan.of(s);
    try (Progress progress = sink.start("speculative [" + s.promptSet() + "]", "run", plan.runs()).weighted(plan.tokens())) {
      return measure(s, progress);
    }
  }

  private static Figures measure(Settings s, Progress progress) {
    double[] steps = stepTimes(s, progress::note);
    progress.finished(STEP_TIMING_TOKENS, "step times");
    double c = steps[0] / steps[1];
    try (InProcess local = new InProcess(s);
         LoopbackServices services = LoopbackServices.start(Map.of("default", s.system1()), s.system2(), null)) {
      ModelServer s1 = services.system1;
      ModelServer s2 = services.system2;
      OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub = OrchestratorServiceGrpc.newBlockingStub(services.channel);
      progress.note("warming up the services");
      // until the JIT has compiled every path, the first runs are slower than the rest
      for (int round = 0; round < 2; round++) {
        run(stub, system2Only(), s.promptList().subList(0, 4), 64, services);
        for (int g = s.minGamma(); g <= s.maxGamma(); g++) {
          run(stub, speculative(g), s.promptList().subList(0, 3), 64, services);
          run(stub, speculativeAhead(g), s.promptList().subList(0, 3), 64, services);
        }
        local.seconds(new SingleModel(SingleModel.Role.SYSTEM2), 4, 64);
        local.seconds(new Speculative(s.minGamma()), 4, 64);
      }
      progress.finished(warmUpTokens(s), "warm-up");
      double runTokens = (double) s.prompts() * s.maxTokens();

      // each draft length is timed next to System 2 alone, in alternating order, so that drift on
      // a shared machine cancels out of the ratio
      List<Row> rows = new ArrayList<>();
      double best = 0;
      int bestGamma = 0;
      boolean bestAhead = false;
      double worst = Double.POSITIVE_INFINITY;
      List<Run> baselines = new ArrayList<>();
      double localBaseSeconds = 0;
      for (int g = s.minGamma(); g <= s.maxGamma(); g++) {
        List<Run> spec = new ArrayList<>();
        List<Run> ahead = new ArrayList<>();
        List<Run> base = new ArrayList<>();
        String at = "gamma " + g;
        List<String> prompts = s.promptList().subList(0, s.prompts());
        for (int rep = 0; rep < s.repeats(); rep++) {
          boolean specFirst = (rep + g) % 2 == 0;
          if (!specFirst) base.add(timed(progress, runTokens, at, run(stub, system2Only(), prompts, s.maxTokens(), services)));
          spec.add(timed(progress, runTokens, at, run(stub, speculative(g), prompts, s.maxTokens(), services)));
          ahead.add(timed(progress, runTokens, at, run(stub, speculativeAhead(g), prompts, s.maxTokens(), services)));
          if (specFirst) base.add(timed(progress, runTokens, at, run(stub, system2Only(), prompts, s.maxTokens(), services)));
        }
        double localSpec = 0;
        double localBase = 0;
        for (int rep = 0; rep < s.repeats(); rep++) {
          localBase += timed(progress, runTokens, at + ", in process",
              local.seconds(new SingleModel(SingleModel.Role.SYSTEM2), s.prompts(), s.maxTokens()));
          localSpec += timed(progress, runTokens, at + ", in process", local.seconds(new Speculative(g), s.prompts(), s.maxTokens()));
        }
        double inProcess = localBase / localSpec;
        localBaseSeconds += localBase;
        Run r = Run.merge(spec);
        Run a = Run.merge(ahead);
        Run b = Run.merge(base);
        baselines.addAll(base);
        // per-token acceptance: each round examines draft tokens until its first rejection
        double alpha = r.accepted() + r.corrections() == 0 ? 0 : (double) r.accepted() / (r.accepted() + r.corrections());
        double expected = expectedSpeedup(alpha, g, c);
        double measured = r.tokensPerSecond() / b.tokensPerSecond();
        double verify = steps[3 + g - s.minGamma()] / steps[1];
        double aheadSpeedup = a.tokensPerSecond() / b.tokensPerSecond();
        rows.add(new Row(g, alpha, c, expected, measured, measured / expected, verify,
            expectedSpeedup(alpha, g, c, verify), inProcess, measured / inProcess, aheadSpeedup, r, a, b));
        progress.note(String.format("gamma %d: %.1f tokens/s against %.1f alone: %.2fx (drafting ahead %.2fx, in process %.2fx, expected %.2fx)",
            g, r.tokensPerSecond(), b.tokensPerSecond(), measured, aheadSpeedup, inProcess, expected));
        if (measured > best) {
          best = measured;
          bestGamma = g;
          bestAhead = false;
        }
        if (aheadSpeedup > best) {
          best = aheadSpeedup;
          bestGamma = g;
          bestAhead = true;
        }
        worst = Math.min(worst, measured / expected);
      }
      double base = Run.merge(baselines).tokensPerSecond();
      double localBaseRate = (double) (s.maxGamma() - s.minGamma() + 1) * s.repeats() * s.prompts() * s.maxTokens() / localBaseSeconds;
      List<AdaptiveDrafting.Row> adaptive = s.adaptive()
          ? AdaptiveDrafting.compare(stub, services, s.maxTokens(), s.repeats(), progress) : List.of();
      LlamaInfo i1 = new LlamaInfo(shortName(s.system1()), s1.host().info().getParameterCount());
      LlamaInfo i2 = new LlamaInfo(shortName(s.system2()), s2.host().info().getParameterCount());
      return new Figures(i1.source, i2.source, i1.parameters, i2.parameters, s.promptSet(), s.prompts(), s.maxTokens(), s.repeats(),
          steps[0] / 1e6, steps[1] / 1e6, steps[2] / 1e6, c, base, localBaseRate, rows, best, bestGamma, bestAhead, worst, best >= SPEEDUP_TARGET, worst >= FIDELITY_TARGET, adaptive);
    }
  }

  /** {@code result}, once counted as a finished run weighing {@code tokens}. */
  private static <T> T timed(Progress progress, double tokens, String detail, T result) {
    progress.finished(tokens, detail);
    return result;
  }

  private record LlamaInfo(String source, long parameters) {}

  /** The default pair loaded in this process, and the prompt set tokenized, for runs without services. */
  private static final class InProcess implements AutoCloseable {
    private final LlamaModel small;
    private final LlamaModel large;
    private final ModelPair pair;
    private final List<int[]> prompts = new ArrayList<>();

    InProcess(Settings s) {
      small = LlamaModel.load(s.system1());
      large = LlamaModel.load(s.system2());
      pair = new ModelPair(new LocalLanguageModel(small), new LocalLanguageModel(large));
      try (TextTokenizer t = TextTokenizer.load(s.system2())) {
        for (String p : s.promptList()) prompts.add(t.encode(p));
      }
    }

    /** Wall time of greedy generations of the first {@code n} prompts, end of text ignored (as the gRPC runs do). */
    double seconds(Strategy strategy, int n, int maxTokens) {
      DecodeRequest request = new DecodeRequest(maxTokens, SamplingParams.GREEDY, 0, Set.of());
      long t0 = System.nanoTime();
      for (int[] p : prompts.subList(0, n)) {
        Outcome o = strategy.run(pair, p, request, TokenSink.NONE);
        if (o.tokens().length != maxTokens) throw new IllegalStateException("in-process run stopped early");
      }
      return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
      small.close();
      large.close();
    }
  }

  /** The model directory's last two names, e.g. models/system2: the figures do not depend on where the checkout is. */
  static String shortName(Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    return p.getNameCount() >= 2 ? p.subpath(p.getNameCount() - 2, p.getNameCount()).toString() : p.toString();
  }

  /** Leviathan et al.: expected tokens per round over the cost of a round, in System 2 steps. */
  public static double expectedSpeedup(double alpha, int gamma, double c) {
    return expectedSpeedup(alpha, gamma, c, 1);
  }

  /** The same with verification costing {@code verify} System 2 steps (the formula takes 1). */
  static double expectedSpeedup(double alpha, int gamma, double c, double verify) {
    return Speculative.expectedTokensPerRound(alpha, gamma) / (gamma * c + verify);
  }

  /**
   * Mean one-token step of each model and the verify cost of each draft length, in process (no
   * network): {System 1 step, System 2 step, System 1 step right after a System 2 step,
   * verify(gamma = min..max)...} in nanoseconds.
   */
  private static double[] stepTimes(Settings s, Consumer<String> progress) {
    progress.accept("timing one-token steps in process");
    double[] out = new double[3 + s.maxGamma() - s.minGamma() + 1];
    try (LlamaModel small = LlamaModel.load(s.system1()); LlamaModel large = LlamaModel.load(s.system2());
         StepTimer t1 = new StepTimer(new LocalLanguageModel(small), 1);
         StepTimer t2 = new StepTimer(new LocalLanguageModel(large), 1)) {
      t1.warm();
      t2.warm();
      // medians of short batches, taken in turns: on a shared host one disturbed stretch moved a
      // mean of 400 steps by 5x, while the median of 8 batches of 50 stays with the undisturbed ones
      double[] m1 = new double[8], m2 = new double[8];
      for (int b = 0; b < m1.length; b++) {
        m1[b] = t1.mean(50);
        m2[b] = t2.mean(50);
      }
      out[0] = median(m1);
      out[1] = median(m2);
      // taking turns, as speculative decoding does: System 2's weights pass through the shared
      // cache between two System 1 steps
      double[] turns = new double[400];
      for (int i = 0; i < turns.length; i++) {
        t2.mean(1);
        long t0 = System.nanoTime();
        t1.mean(1);
        turns[i] = System.nanoTime() - t0;
      }
      out[2] = median(turns);
      for (int g = s.minGamma(); g <= s.maxGamma(); g++) {
        try (StepTimer verify = new StepTimer(new LocalLanguageModel(large), g + 1)) {
          verify.warm();
          // verify/step is a ratio: each batch of blocks is timed beside a batch of one-token steps
          double[] ratio = new double[8];
          for (int b = 0; b < ratio.length; b++) ratio[b] = verify.mean(25) / t2.mean(25);
          out[3 + g - s.minGamma()] = median(ratio) * out[1];
        }
      }
    }
    return out;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Appends a fixed block of tokens after a 32-token prefix and rolls it back, timed. */
  private static final class StepTimer implements AutoCloseable {
    private final LocalLanguageModel.LocalSequence seq;
    private final int[] tokens;
    private final int prefix = 32;

    StepTimer(LocalLanguageModel m, int block) {
      seq = m.newSequence();
      int[] p = new int[prefix];
      for (int i = 0; i < p.length; i++) p[i] = (i * 37 + 11) % m.vocabSize();
      seq.append(p);
      tokens = new int[block];
      for (int i = 0; i < block; i++) tokens[i] = (i * 53 + 5) % m.vocabSize();
    }

    /**
     * Runs until the JIT has compiled the step: a first timing of 300 steps ran 2.7× slower than
     * the settled figure for System 1. Settled = two batches of 200 within 3% (at most 20 s).
     */
    StepTimer warm() {
      long deadline = System.nanoTime() + 20_000_000_000L;
      double last = mean(200);
      while (System.nanoTime() < deadline) {
        double next = mean(200);
        if (Math.abs(next - last) <= 0.03 * last) break;
        last = next;
      }
      return this;
    }

    /** Mean nanoseconds of {@code n} appends, each rolled back. */
    double mean(int n) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        seq.appendAll(tokens);
        seq.rollback(prefix);
      }
      return (System.nanoTime() - t0) / (double) n;
    }

    @Override
    public void close() {
      seq.close();
    }
  }

  static StrategyOptions speculative(int gamma) {
    return StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setGamma(gamma)).build();
  }

  static StrategyOptions speculativeAhead(int gamma) {
    return StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setGamma(gamma).setDraftAhead(true)).build();
  }

  static StrategyOptions system2Only() {
    return StrategyOptions.newBuilder().setSystem2Only(SingleModelOptions.getDefaultInstance()).build();
  }

  /**
   * Greedy generations of every prompt, timed on the client from the request to the last token
   * (what follows it, such as System 1 scoring System 2 alone's text for its summary, is not
   * generation time).
   */
  static Run run(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, StrategyOptions strategy, int prompts, int maxTokens,
      LoopbackServices services) {
    return run(stub, strategy, PROMPTS.subList(0, prompts), maxTokens, services);
  }

  static Run run(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, StrategyOptions strategy, List<String> prompts, int maxTokens,
      LoopbackServices services) {
    ModelServer s1 = services.system1;
    ModelServer s2 = services.system2;
    long[] bytes = services.orchestrator.modelCallBytes();
    double busy1 = dev.fsgen.grpc.Messages.seconds(s1.host().stats().getBusyTime());
    double busy2 = dev.fsgen.grpc.Messages.seconds(s2.host().stats().getBusyTime());
    int calls1 = 0;
    int tokens = 0;
    int accepted = 0;
    int corrections = 0;
    int drafted = 0;
    int calls = 0;
    double cf = 0;
    long nanos = 0;
    for (String p : prompts) {
      GenerateRequest r = GenerateRequest.newBuilder().setText(p).setStrategy(strategy).setMaxTokens(maxTokens)
          .setIgnoreEos(true).build();
      long t0 = System.nanoTime();
      long last = t0;
      Summary summary = null;
      for (Iterator<GenerateResponse> it = stub.generate(r); it.hasNext(); ) {
        GenerateResponse e = it.next();
        if (e.hasTokens()) {
          last = System.nanoTime();
          for (Token t : e.getTokens().getTokensList()) if (t.getProducer() == TokenProducer.TOKEN_PRODUCER_SYSTEM2_CORRECTION) corrections++;
        }
        if (e.hasSummary()) summary = e.getSummary();
      }
      nanos += last - t0;
      tokens += summary.getTokens();
      accepted += summary.getAccepted();
      drafted += summary.getDrafted();
      calls += summary.getSystem2Calls();
      calls1 += summary.getSystem1Calls();
      cf += summary.hasCollaborationFrequency() ? summary.getCollaborationFrequency() * summary.getTokens() : Double.NaN;
    }
    String name = !strategy.hasSpeculative() ? "system2-only" : strategy.getSpeculative().getAdaptive()
        ? "speculative(adaptive)" : "speculative(gamma=" + strategy.getSpeculative().getGamma()
        + (strategy.getSpeculative().getDraftAhead() ? ", ahead" : "") + ")";
    long[] after = services.orchestrator.modelCallBytes();
    long[] wire = new long[4];
    for (int i = 0; i < 4; i++) wire[i] = after[i] - bytes[i];
    return new Run(name, tokens, nanos / 1e9, tokens / (nanos / 1e9), accepted, corrections, drafted, calls1, calls, cf / tokens,
        dev.fsgen.grpc.Messages.seconds(s1.host().stats().getBusyTime()) - busy1, dev.fsgen.grpc.Messages.seconds(s2.host().stats().getBusyTime()) - busy2, wire);
  }

  /** Several runs, with what was skipped and why. */
  public static String toJson(List<Figures> all, List<String> skipped) {
    return Json.gson().toJson(Map.of("runs", all, "skipped", skipped));
  }

  public static String toJson(Figures f) {
    return Json.gson().toJson(f);
  }

  /**
   * One line per measured configuration (System 2 and prompt set): the figures the speedup
   * follows from, at the best draft length.
   */
  public static String summaryTable(List<Figures> all) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-28s %-7s %8s %7s %7s %6s %11s %9s %9s %9s %9s%n", "System 2", "prompts", "S2 ms", "c", "alpha", "gamma",
        "verify/step", "expected", "exp@verif", "measured", "meas/exp"));
    for (Figures f : all) {
      Row r = f.rows().stream().filter(x -> x.gamma() == f.bestGamma()).findFirst().orElse(f.rows().get(0));
      b.append(String.format("%-28s %-7s %8.3f %7.3f %7.3f %6s %11.2f %8.2fx %8.2fx %8.2fx %9.2f%n", f.system2(), f.promptSet(),
          f.system2StepMs(), f.c(), r.alpha(), r.gamma() + (f.bestDraftsAhead() ? "a" : ""), r.verifyOverStep(), r.expected(),
          r.expectedAtVerifyCost(), f.bestSpeedup(), f.bestSpeedup() / r.expectedAtVerifyCost()));
    }
    b.append("gamma: the best draft length (a: drafting ahead); verify/step: verifying gamma + 1 tokens in System 2 steps;\n"
        + "exp@verif: expected with verification at its measured cost; meas/exp: measured over that.\n");
    return b.toString();
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("System 1  %s (%.2f M parameters): %.3f ms per token step%n", f.system1(), f.system1Parameters() / 1e6, f.system1StepMs()));
    b.append(String.format("System 2  %s (%.2f M parameters): %.3f ms per token step%n", f.system2(), f.system2Parameters() / 1e6, f.system2StepMs()));
    b.append(String.format("System 1 right after a System 2 step: %.3f ms (c taking turns: %.3f)%n", f.system1StepAfterSystem2Ms(),
        f.system1StepAfterSystem2Ms() / f.system2StepMs()));
    b.append(String.format("c = %.3f; prompt set '%s', %d prompts x %d tokens, greedy, over gRPC on loopback%n", f.c(), f.promptSet(),
        f.prompts(), f.maxTokens()));
    b.append(String.format("System 2 alone: %.1f tokens/s over all its runs (%d repeats per draft length, interleaved); in process %.1f%n%n",
        f.system2TokensPerSecond(), f.repeats(), f.system2InProcessTokensPerSecond()));
    b.append(String.format("%5s %7s %9s %9s %9s %8s %11s %6s %10s %10s %12s %11s %9s %9s%n", "gamma", "alpha", "expected", "measured", "meas/exp",
        "ahead", "in process", "kept", "tokens/s", "S2 alone", "verify/step", "exp@verify", "S2 calls", "overhead"));
    for (Row r : f.rows()) {
      b.append(String.format("%5d %7.3f %8.2fx %8.2fx %9.2f %7.2fx %10.2fx %6.2f %10.1f %10.1f %12.2f %10.2fx %9d %8.0f%%%n", r.gamma(), r.alpha(),
          r.expected(), r.measured(), r.measuredOverExpected(), r.ahead(), r.inProcess(), r.kept(), r.run().tokensPerSecond(),
          r.baseline().tokensPerSecond(), r.verifyOverStep(), r.expectedAtVerifyCost(), r.run().system2Calls(),
          100 * r.run().overheadShare()));
    }
    b.append(String.format("%nahead: the speedup with drafting ahead (System 1 drafts the next block while System 2 verifies the current one).%n"));
    b.append(String.format("%nexp@verify: the expected speedup with verification costing the measured verify/step System 2 steps%n"
        + "instead of the formula's one.%n"));
    b.append(String.format("%nin process: the same generations run on the models directly; kept: measured / in process, the share of%n"
        + "the pair's own gain on this machine that survives the services.%n"));
    b.append(String.format("%nBytes on the wire per generated token (messages to and from both services): System 2 alone %.0f; "
        + "speculative %s%n", f.rows().get(0).baseline().bytesPerToken(),
        f.rows().stream().map(r -> String.format("%.0f (gamma %d)", r.run().bytesPerToken(), r.gamma()))
            .collect(java.util.stream.Collectors.joining(", "))));
    if (!f.adaptive().isEmpty()) b.append(AdaptiveDrafting.toTable(f.adaptive()));
    b.append(String.format("%nS2 alone spends %.0f%% of its wall time outside the model (transport, orchestration, streaming).%n",
        100 * f.rows().get(0).baseline().overheadShare()));
    b.append(String.format("%nbest measured speedup %.2fx at gamma %d%s (target >= %.1fx: %s); lowest measured/expected %.2f (target >= %.2f: %s)%n",
        f.bestSpeedup(), f.bestGamma(), f.bestDraftsAhead() ? ", drafting ahead" : "", SPEEDUP_TARGET, f.speedupTargetMet() ? "met" : "NOT met", f.worstMeasuredOverExpected(),
        FIDELITY_TARGET, f.fidelityTargetMet() ? "met" : "NOT met"));
    return b.toString();
  }
}
