package dev.fsgen.bench;

import dev.fsgen.proto.decoding.v1.GenerateRequest;
import dev.fsgen.proto.decoding.v1.GenerateResponse;
import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.runtime.progress.Progress;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Resident memory of each service process under sustained load: {@code streams} clients generate
 * one after another for the whole duration (alternating System 2 alone and speculative decoding,
 * so that both call paths and the batcher run), while the kernel's resident size of every process
 * is read at a fixed interval. Growth is the last minute's highest reading over the first minute's
 * highest (a quarter of the run each for runs under four minutes), after a warm-up: a leak shows as
 * a climb across the run, not as the JIT's first minutes.
 */
public final class MemorySoak {
  private MemorySoak() {}

  /** One process: resident MB at each sample, and the growth from the first minute to the last. */
  public record Service(String name, long pid, List<Double> residentMb, double firstMinuteMb, double lastMinuteMb, double growth) {}

  public record Figures(int streams, double minutes, int maxTokens, long generations, long tokens, double sampleSeconds,
      List<Service> services, double worstGrowth, boolean targetMet) {}

  /**
   * @param pids the processes to watch, by service name
   * @param warmUpSeconds load before the first sample, so that the JIT and the caches have settled
   */
  public static Figures run(Channel orchestrator, Map<String, Long> pids, int streams, double minutes, double warmUpSeconds,
      int maxTokens, Consumer<String> progress) throws Exception {
    return run(orchestrator, pids, streams, minutes, warmUpSeconds, maxTokens, Progress.sink(progress));
  }

  /** The soak, its progress counted in seconds of load (the warm-up's and the soak's: it runs for a set time) on a line {@code sink} starts. */
  public static Figures run(Channel orchestrator, Map<String, Long> pids, int streams, double minutes, double warmUpSeconds,
      int maxTokens, Progress.Sink sink) throws Exception {
    long seconds = Math.max(1, Math.round(warmUpSeconds + minutes * 60));
    try (Progress progress = sink.start("soak", "second", seconds)) {
      return run(orchestrator, pids, streams, minutes, warmUpSeconds, maxTokens, progress, seconds);
    }
  }

  private static Figures run(Channel orchestrator, Map<String, Long> pids, int streams, double minutes, double warmUpSeconds,
      int maxTokens, Progress progress, long seconds) throws Exception {
    if (streams < 1 || streams > 64) throw new IllegalArgumentException("soak streams must be in [1, 64], got " + streams);
    if (!(minutes > 0)) throw new IllegalArgumentException("soak minutes must be positive, got " + minutes);
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub = OrchestratorServiceGrpc.newBlockingStub(orchestrator);
    List<StrategyOptions> strategies = List.of(SpeculativeBench.system2Only(), SpeculativeBench.speculative(4));
    long samplePeriod = Math.max(250, (long) (minutes * 60_000 / 60)); // about 60 readings
    long end = System.nanoTime() + (long) ((warmUpSeconds + minutes * 60) * 1e9);
    AtomicLong generations = new AtomicLong();
    AtomicLong tokens = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < streams; c++) {
      int client = c;
      clients.add(pool.submit(() -> {
        for (int g = 0; System.nanoTime() < end; g++) {
          String prompt = SpeculativeBench.PROMPTS.get((client + g) % SpeculativeBench.PROMPTS.size());
          GenerateRequest r = GenerateRequest.newBuilder().setText(prompt).setStrategy(strategies.get((client + g) % 2))
              .setMaxTokens(maxTokens).setIgnoreEos(true).build();
          for (Iterator<GenerateResponse> it = stub.generate(r); it.hasNext(); ) {
            GenerateResponse e = it.next();
            if (e.hasSummary()) tokens.addAndGet(e.getSummary().getTokens());
          }
          generations.incrementAndGet();
        }
        return null;
      }));
    }
    Map<String, List<Double>> readings = new LinkedHashMap<>();
    pids.keySet().forEach(k -> readings.put(k, new ArrayList<>()));
    List<Double> at = new ArrayList<>();
    try {
      progress.note(String.format("%d streams for %.0f s of warm-up, then %.1f minutes", streams, warmUpSeconds, minutes));
      Thread.sleep((long) (warmUpSeconds * 1000));
      long t0 = System.nanoTime();
      long started = t0 - (long) (warmUpSeconds * 1e9);
      long lastNote = t0;
      while (System.nanoTime() < end) {
        double t = (System.nanoTime() - t0) / 1e9;
        at.add(t);
        for (Map.Entry<String, Long> e : pids.entrySet()) {
          long rss = ProcStatus.of(e.getValue()).rssBytes();
          if (rss < 0) throw new IllegalStateException(e.getKey() + " (pid " + e.getValue() + ") is gone");
          readings.get(e.getKey()).add(rss / 1048576.0);
        }
        for (Future<?> f : clients) if (f.isDone()) f.get(); // a failed stream ends the soak with its error
        progress.update(Math.min(seconds - 1, (System.nanoTime() - started) / 1_000_000_000L), generations.get() + " generations");
        if (System.nanoTime() - lastNote > 60e9) {
          lastNote = System.nanoTime();
          StringBuilder b = new StringBuilder(String.format("%.1f of %.1f minutes, %d generations;", t / 60, minutes, generations.get()));
          readings.forEach((k, v) -> b.append(String.format(" %s %.0f MB", k, v.get(v.size() - 1))));
          progress.note(b.toString());
        }
        Thread.sleep(samplePeriod);
      }
      for (Future<?> f : clients) f.get();
      progress.update(seconds, generations.get() + " generations");
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    double span = at.get(at.size() - 1);
    double window = Math.min(60, span / 4);
    List<Service> services = new ArrayList<>();
    double worst = 0;
    for (Map.Entry<String, List<Double>> e : readings.entrySet()) {
      double first = 0;
      double last = 0;
      for (int i = 0; i < at.size(); i++) {
        if (at.get(i) <= window) first = Math.max(first, e.getValue().get(i));
        if (at.get(i) >= span - window) last = Math.max(last, e.getValue().get(i));
      }
      double growth = last / first - 1;
      worst = Math.max(worst, growth);
      services.add(new Service(e.getKey(), pids.get(e.getKey()), e.getValue(), first, last, growth));
    }
    return new Figures(streams, minutes, maxTokens, generations.get(), tokens.get(), samplePeriod / 1000.0, services, worst, worst < 0.05);
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder(String.format("Memory soak: %d streams for %.1f minutes (%d generations, %d tokens), resident size per process:%n",
        f.streams(), f.minutes(), f.generations(), f.tokens()));
    b.append(String.format("%-14s %14s %14s %9s%n", "process", "first minute", "last minute", "growth"));
    for (Service s : f.services()) {
      b.append(String.format("%-14s %11.0f MB %11.0f MB %8.1f%%%n", s.name(), s.firstMinuteMb(), s.lastMinuteMb(), 100 * s.growth()));
    }
    b.append(String.format("largest growth %.1f%% (target < 5%%: %s)%n", 100 * f.worstGrowth(), f.targetMet() ? "met" : "NOT met"));
    return b.toString();
  }
}
