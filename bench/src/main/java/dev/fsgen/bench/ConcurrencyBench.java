package dev.fsgen.bench;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.proto.model.v1.CacheStats;
import dev.fsgen.runtime.progress.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Aggregate throughput under concurrent streams: N clients each stream generations through the
 * orchestrator at once, for N = 1, 4, 16, 64, with System 2 alone and with speculative decoding.
 * Beside tokens/s it reports the latencies a user sees (time to first token, time between tokens,
 * p50 and p99) and how many requests the forward passes of System 2 and of System 1 served
 * (continuous batching; a draft counts once, however many passes its steps took part in).
 */
public final class ConcurrencyBench {
  public record Settings(Path system1, Path system2, int[] streams, int maxTokens, int generationsPerStream) {
    public Settings {
      if (streams.length == 0) throw new IllegalArgumentException("--streams needs at least one level");
      for (int n : streams) if (n < 1 || n > 64) throw new IllegalArgumentException("--streams levels must be in [1, 64], got " + n);
      if (maxTokens < 2) throw new IllegalArgumentException("--max-tokens must be at least 2");
      if (generationsPerStream < 1) throw new IllegalArgumentException("--generations must be at least 1");
    }
  }

  /**
   * One concurrency level of one strategy.
   *
   * @param scaling tokens/s ÷ the same strategy's tokens/s at one stream
   * @param gapP50Ms time between tokens on a stream; tokens that arrive in one event (a
   *     speculative round) share the wait for it
   * @param system2Batch System 2 requests per forward pass during the level
   * @param system1Batch System 1 requests per forward pass (a draft takes part in one pass per step)
   */
  public record Level(String strategy, int streams, int tokens, double seconds, double tokensPerSecond, double scaling,
      double ttftP50Ms, double ttftP99Ms, double gapP50Ms, double gapP99Ms, double system2Batch, double system1Batch) {
    /** This level with its scaling against the same strategy's single-stream tokens/s. */
    Level scaledTo(double single) {
      return new Level(strategy, streams, tokens, seconds, tokensPerSecond, single == 0 ? Double.NaN : tokensPerSecond / single,
          ttftP50Ms, ttftP99Ms, gapP50Ms, gapP99Ms, system2Batch, system1Batch);
    }
  }

  /** @param generationsPerStream the least each stream runs; levels with fewer than 8 streams run 8 generations in all */
  /** 16 streams of System 2 alone against one stream: the batched pass must fill and pay. */
  public static final double TARGET_SCALING = 3.5;

  /**
   * @param speculativeOverSystem2At16 speculative tokens/s over System 2 alone's, both at 16 streams
   *     (the target: above 1, the pair still pays when the services are busy)
   */
  public record Figures(int maxTokens, int generationsPerStream, List<Level> levels, double scalingAt16System2,
      double scalingAt16Speculative, double speculativeOverSystem2At16, boolean target16Met) {}

  public static Figures measure(Settings s, Consumer<String> progress) throws Exception {
    return measure(s, Progress.sink(progress));
  }

  private static final List<String> STRATEGIES = List.of("system2-only", "speculative(gamma=4)");

  /** Generations at {@code streams}: at least 8 per level, so that a single stream's figure is not one short, noisy run. */
  private static int generations(Settings s, int streams) {
    return Math.max(s.generationsPerStream(), (8 + streams - 1) / streams);
  }

  /**
   * The benchmark, its progress counted in levels (the warm-up, then each strategy at each
   * concurrency) on a line that {@code sink} starts, each weighing its generations for the ETA.
   */
  public static Figures measure(Settings s, Progress.Sink sink) throws Exception {
    double warmUp = 3 * STRATEGIES.size() * (6 + 16);
    double work = warmUp;
    for (int n : s.streams()) work += STRATEGIES.size() * (double) n * generations(s, n);
    try (Progress progress = sink.start("concurrency", "level", 1 + (long) STRATEGIES.size() * s.streams().length).weighted(work)) {
      return measure(s, progress, warmUp);
    }
  }

  private static Figures measure(Settings s, Progress progress, double warmUp) throws Exception {
    List<Level> levels = new ArrayList<>();
    try (LoopbackServices services = LoopbackServices.start(Map.of("default", s.system1()), s.system2(), null)) {
      OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub = OrchestratorServiceGrpc.newBlockingStub(services.channel);
      Map<String, StrategyOptions> strategies = Map.of("system2-only", SpeculativeBench.system2Only(), "speculative(gamma=4)",
          SpeculativeBench.speculative(4));
      // until the JIT has compiled the one-token and the batched paths, the first runs are several
      // times slower: a cold single-stream figure would flatter every ratio to it
      ExecutorService pool = Executors.newFixedThreadPool(64);
      try {
        progress.note("warming up");
        for (int round = 0; round < 3; round++) {
          for (StrategyOptions st : strategies.values()) {
            level(stub, services, st, "", 1, s.maxTokens(), 6, pool);
            level(stub, services, st, "", 16, s.maxTokens(), 1, pool);
          }
        }
        progress.finished(warmUp, "warm-up");
        for (String name : STRATEGIES) {
          double single = 0;
          for (int n : s.streams()) {
            int generations = generations(s, n);
            Level l = level(stub, services, strategies.get(name), name, n, s.maxTokens(), generations, pool);
            if (n == 1) single = l.tokensPerSecond();
            l = l.scaledTo(single);
            levels.add(l);
            progress.finished((double) n * generations, name + ", " + n + " streams");
            progress.note(String.format("%s, %d streams: %.1f tokens/s (%.2fx one stream), TTFT p50 %.1f ms, gap p50 %.1f ms p99 %.1f ms, "
                + "%.1f System 2 requests per pass", name, n, l.tokensPerSecond(), l.scaling(), l.ttftP50Ms(), l.gapP50Ms(), l.gapP99Ms(),
                l.system2Batch()));
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
    double s2 = figure(levels, "system2-only", 16, Level::scaling);
    double sp = figure(levels, "speculative(gamma=4)", 16, Level::scaling);
    double over = figure(levels, "speculative(gamma=4)", 16, Level::tokensPerSecond)
        / figure(levels, "system2-only", 16, Level::tokensPerSecond);
    return new Figures(s.maxTokens(), s.generationsPerStream(), levels, s2, sp, over, s2 >= TARGET_SCALING && over > 1);
  }

  /** One figure of the level measured for {@code strategy} at {@code streams}, or NaN where that level was not run. */
  private static double figure(List<Level> levels, String strategy, int streams, java.util.function.ToDoubleFunction<Level> of) {
    return levels.stream().filter(l -> l.strategy().equals(strategy) && l.streams() == streams).mapToDouble(of).findFirst()
        .orElse(Double.NaN);
  }

  /** {@code streams} clients, each streaming {@code generations} generations one after another, all started together. */
  private static Level level(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, LoopbackServices services, StrategyOptions strategy, String name,
      int streams, int maxTokens, int generations, ExecutorService pool) throws Exception {
    CacheStats before = services.system2.host().stats();
    CacheStats before1 = services.system1.host().stats();
    CyclicBarrier start = new CyclicBarrier(streams);
    List<Future<double[][]>> clients = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < streams; c++) {
      int client = c;
      clients.add(pool.submit(() -> {
        start.await();
        List<Double> ttft = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        for (int g = 0; g < generations; g++) {
          String prompt = SpeculativeBench.PROMPTS.get((client + g) % SpeculativeBench.PROMPTS.size());
          GenerateRequest r = GenerateRequest.newBuilder().setText(prompt).setStrategy(strategy).setMaxTokens(maxTokens)
              .setIgnoreEos(true).build();
          long sent = System.nanoTime();
          long last = -1;
          for (Iterator<GenerateResponse> it = stub.generate(r); it.hasNext(); ) {
            GenerateResponse e = it.next();
            if (!e.hasTokens() || e.getTokens().getTokensCount() == 0) continue;
            long now = System.nanoTime();
            int k = e.getTokens().getTokensCount();
            if (last < 0) {
              ttft.add((now - sent) / 1e6);
              // the first event's other tokens (a speculative round) share the wait after the first
              for (int i = 1; i < k; i++) gaps.add(0.0);
            } else {
              // tokens that arrive together (a speculative round) share the wait for them
              for (int i = 0; i < k; i++) gaps.add((now - last) / 1e6 / k);
            }
            last = now;
          }
        }
        return new double[][] {ttft.stream().mapToDouble(Double::doubleValue).toArray(),
            gaps.stream().mapToDouble(Double::doubleValue).toArray()};
      }));
    }
    List<double[]> ttft = new ArrayList<>();
    List<double[]> gaps = new ArrayList<>();
    for (Future<double[][]> f : clients) {
      double[][] r = f.get();
      ttft.add(r[0]);
      gaps.add(r[1]);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    int tokens = streams * generations * maxTokens;
    CacheStats after = services.system2.host().stats();
    double passes = after.getPasses() - before.getPasses();
    double batch = passes == 0 ? 0 : (after.getRequests() - before.getRequests()) / passes;
    CacheStats after1 = services.system1.host().stats();
    double passes1 = after1.getPasses() - before1.getPasses();
    double batch1 = passes1 == 0 ? 0 : (after1.getRequests() - before1.getRequests()) / passes1;
    double[] t = flat(ttft);
    double[] g = flat(gaps);
    return new Level(name, streams, tokens, seconds, tokens / seconds, Double.NaN, pct(t, 0.5), pct(t, 0.99), pct(g, 0.5),
        pct(g, 0.99), batch, batch1);
  }

  private static double[] flat(List<double[]> parts) {
    return parts.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
  }

  private static double pct(double[] sorted, double q) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  public static String toJson(Figures f) {
    return Json.gson().toJson(f);
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder(String.format("Concurrent streams through the orchestrator, %d tokens per generation, at least %d per stream and 8 per level:%n",
        f.maxTokens(), f.generationsPerStream()));
    b.append(String.format("%-22s %7s %10s %8s %10s %10s %10s %10s %10s %10s%n", "strategy", "streams", "tokens/s", "scaling",
        "TTFT p50", "TTFT p99", "gap p50", "gap p99", "S2 batch", "S1 batch"));
    for (Level l : f.levels()) {
      b.append(String.format("%-22s %7d %10.1f %7.2fx %8.1fms %8.1fms %8.2fms %8.2fms %10.1f %10.1f%n", l.strategy(), l.streams(),
          l.tokensPerSecond(), l.scaling(), l.ttftP50Ms(), l.ttftP99Ms(), l.gapP50Ms(), l.gapP99Ms(), l.system2Batch(),
          l.system1Batch()));
    }
    b.append(String.format("%nat 16 streams: System 2 alone %.2fx, speculative %.2fx its single-stream tokens/s; speculative %.2fx System 2 alone's "
        + "tokens/s%n(target: System 2 alone >= %.1fx one stream and speculative faster than System 2 alone at 16 streams: %s)%n",
        f.scalingAt16System2(), f.scalingAt16Speculative(), f.speculativeOverSystem2At16(), TARGET_SCALING, f.target16Met() ? "met" : "NOT met"));
    return b.toString();
  }
}
