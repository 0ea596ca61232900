package dev.fsgen.bench;

import dev.fsgen.runtime.progress.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every performance figure of fsgen in one run, each beside its target: speculative decoding
 * against System 2 alone and against the formula, fsgen against Jlama on the same checkpoint, the
 * share of time outside the models, adaptive drafting, concurrency and a memory soak of the
 * service processes. The parts run one after another, never at once, so none disturbs another.
 */
public final class BenchSuite {
  private BenchSuite() {}

  /** The soak needs the services as separate processes, which the caller starts and watches. */
  @FunctionalInterface
  public interface Soak {
    MemorySoak.Figures run(Progress.Sink parts, Consumer<String> log) throws Exception;
  }

  /** The parts of the suite, in the order they run. */
  public enum Part { SPECULATIVE, JLAMA, LLAMACPP, CONCURRENCY, SOAK }

  /** @param soak null where the soak cannot run (it is then skipped with the others not asked for) */
  public record Settings(Path system1, Path system2, int prompts, int maxTokens, int maxGamma, int repeats, int[] streams,
      Soak soak, java.util.Set<Part> parts) {}

  /**
   * One target: {@code value} against {@code threshold}, met when above it ({@code atLeast}) or
   * below it; {@code met} is null where the figure could not be measured (the note says why).
   *
   * @param unit "x" for a ratio, "%" for a share, "" for a count
   */
  public record Target(String name, double value, String unit, boolean atLeast, double threshold, Boolean met, String note) {}

  /** Each part's figures, null for a part that did not run. */
  public record Figures(SpeculativeBench.Figures speculative, JlamaComparison jlama, LlamaCppComparison llamaCpp,
      ConcurrencyBench.Figures concurrency, MemorySoak.Figures soak, List<Target> targets) {}

  public static final double OVERHEAD_TARGET = 0.10;

  /**
   * The suite: each part counts its own units of work (timed runs, concurrency levels, seconds of
   * soak) on a progress line with an ETA that {@code parts} starts; {@code log} gets whole lines
   * between the parts, and the suite's own count of parts after each.
   */
  public static Figures run(Settings s, Progress.Sink parts, Consumer<String> log) throws Exception {
    long running = s.parts().stream().filter(p -> p != Part.SOAK || s.soak() != null).count();
    Progress suite = Progress.lines(log, "suite", "part", running);
    SpeculativeBench.Figures spec = null;
    if (s.parts().contains(Part.SPECULATIVE)) {
      log.accept("1/5 speculative decoding against System 2 alone, drafting ahead, adaptive drafting");
      spec = SpeculativeBench.measure(
          new SpeculativeBench.Settings(s.system1(), s.system2(), s.prompts(), s.maxTokens(), 1, s.maxGamma(), s.repeats(), "own",
              SpeculativeBench.PROMPTS, true), parts);
      suite.finished(1, "speculative");
    }
    JlamaComparison jlama = null;
    if (s.parts().contains(Part.JLAMA)) {
      log.accept("2/5 Jlama on the same System 2 checkpoint");
      try {
        jlama = JlamaComparison.measure(s.system2(), SpeculativeBench.PROMPTS.subList(0, s.prompts()), s.maxTokens(), parts);
      } catch (java.io.IOException e) {
        jlama = JlamaComparison.skipped("Jlama failed: " + e.getMessage().lines().findFirst().orElse(""));
      }
      if (!jlama.ran()) log.accept("Jlama comparison skipped: " + jlama.skipped());
      suite.finished(1, "jlama");
    }
    LlamaCppComparison llamaCpp = null;
    if (s.parts().contains(Part.LLAMACPP)) { // measure never throws: missing tools give a skipped record
      log.accept("3/5 llama.cpp on the same checkpoints (GGUF)");
      Path gguf = Path.of(System.getProperty("fsgen.root", ".")).resolve("work/llama.cpp/gguf");
      llamaCpp = LlamaCppComparison.measure(new LlamaCppComparison.Settings(s.system1(), s.system2(), gguf,
          2, s.maxTokens(), 64, 3, Math.min(4, s.prompts()), 32, 4), parts);
      if (!llamaCpp.ran()) log.accept("llama.cpp comparison skipped: " + llamaCpp.skipped());
      suite.finished(1, "llamacpp");
    }
    ConcurrencyBench.Figures conc = null;
    if (s.parts().contains(Part.CONCURRENCY)) {
      log.accept("4/5 concurrent streams");
      conc = ConcurrencyBench.measure(new ConcurrencyBench.Settings(s.system1(), s.system2(), s.streams(), s.maxTokens() / 2, 1), parts);
      suite.finished(1, "concurrency");
    }
    MemorySoak.Figures soak = null;
    if (s.parts().contains(Part.SOAK) && s.soak() != null) {
      log.accept("5/5 memory soak of the service processes");
      soak = s.soak().run(parts, log);
      suite.finished(1, "soak");
    }
    return new Figures(spec, jlama, llamaCpp, conc, soak, targets(spec, jlama, llamaCpp, conc, soak));
  }

  /** Each target beside its figure; a figure whose part did not run is NaN, neither met nor missed. */
  static List<Target> targets(SpeculativeBench.Figures spec, JlamaComparison jlama, LlamaCppComparison llamaCpp,
      ConcurrencyBench.Figures conc, MemorySoak.Figures soak) {
    List<Target> t = new ArrayList<>();
    String noSpec = spec == null ? "not run" : null;
    String noJlama = jlama == null ? "not run" : jlama.ran() ? noSpec : "skipped: " + jlama.skipped();
    String noConc = conc == null ? "not run" : null;
    double nan = Double.NaN;
    t.add(target("speculative / System 2 alone (best" + (spec == null ? ")"
        : ": gamma " + spec.bestGamma() + (spec.bestDraftsAhead() ? ", ahead)" : ")")),
        spec == null ? nan : spec.bestSpeedup(), "x", true, SpeculativeBench.SPEEDUP_TARGET, noSpec));
    t.add(target("measured / expected speedup (lowest over gamma)", spec == null ? nan : spec.worstMeasuredOverExpected(), "x", true,
        SpeculativeBench.FIDELITY_TARGET, noSpec));
    boolean both = spec != null && jlama != null && jlama.ran();
    t.add(target("speculative (best) / Jlama (System 2 alone)", both ? jlama.ratio(bestRate(spec)) : nan, "x", true, 1.5, noJlama));
    t.add(target("System 2 alone, fsgen / Jlama (both in process)", jlama == null ? nan : jlama.ratio(jlama.fsgenTokensPerSecond()),
        "x", true, 1.0, jlama == null ? "not run" : jlama.ran() ? null : "skipped: " + jlama.skipped()));
    t.add(target("System 2 alone, fsgen over gRPC / Jlama", both ? jlama.ratio(spec.system2TokensPerSecond()) : nan, "x", true, 1.0,
        noJlama));
    String noLlama = llamaCpp == null ? "not run" : llamaCpp.ran() ? null : "skipped: " + llamaCpp.skipped();
    boolean llamaRan = llamaCpp != null && llamaCpp.ran();
    t.add(target("System 2 alone, fsgen in process / llama.cpp F16 (llama-bench tg)",
        llamaRan ? llamaCpp.ratio(llamaCpp.fsgenSystem2TokensPerSecond()) : nan, "x", true, 1.0, noLlama));
    t.add(target("speculative (best) / llama.cpp speculative",
        spec != null && llamaRan ? bestRate(spec) / llamaCpp.speculative().tokensPerSecond() : nan, "x", true, 1.0,
        spec == null ? "not run" : noLlama));
    t.add(target("prompts where llama.cpp's greedy text (F32) differs from fsgen's",
        llamaRan ? llamaCpp.greedyPrompts() - llamaCpp.sameGreedyF32() : nan, "", false, 0, noLlama));
    t.add(target("time outside the models, System 2 alone over gRPC", spec == null ? nan : overhead(spec), "%", false, OVERHEAD_TARGET,
        noSpec));
    t.add(target("16 streams / 1 stream, System 2 alone", conc == null ? nan : conc.scalingAt16System2(), "x", true,
        ConcurrencyBench.TARGET_SCALING, noConc));
    t.add(target("16 streams, speculative / System 2 alone", conc == null ? nan : conc.speculativeOverSystem2At16(), "x", true, 1,
        noConc));
    t.add(target("prompt sets where adaptive wins or ties", spec == null ? nan : AdaptiveDrafting.winsOrTies(spec.adaptive()), "",
        true, 2, noSpec));
    t.add(target("resident memory growth over the soak (largest service)", soak == null ? nan : soak.worstGrowth(), "%", false, 0.05,
        soak == null ? "not run" : null));
    return t;
  }

  /** Tokens/s of the fastest speculative configuration (drafting ahead or not). */
  private static double bestRate(SpeculativeBench.Figures spec) {
    SpeculativeBench.Row best = spec.rows().stream().filter(r -> r.gamma() == spec.bestGamma()).findFirst().orElseThrow();
    return (spec.bestDraftsAhead() ? best.aheadRun() : best.run()).tokensPerSecond();
  }

  /**
   * Share of a generated token's wall time spent outside model compute: 1 − (tokens/s over gRPC ÷
   * tokens/s of the same generations in process), System 2 alone, taken in the same run.
   */
  static double overhead(SpeculativeBench.Figures spec) {
    return 1 - spec.system2TokensPerSecond() / spec.system2InProcessTokensPerSecond();
  }

  private static Target target(String name, double value, String unit, boolean atLeast, double threshold, String note) {
    Boolean met = Double.isNaN(value) ? null : atLeast ? value >= threshold : value <= threshold;
    return new Target(name, value, unit, atLeast, threshold, met, note);
  }

  public static String toJson(Figures f) {
    return Json.gson().toJson(f);
  }

  public static String toTable(Figures f) {
    StringBuilder b = new StringBuilder();
    if (f.speculative() != null) b.append(SpeculativeBench.toTable(f.speculative())).append('\n');
    JlamaComparison j = f.jlama();
    if (j == null) {
      // not asked for
    } else if (j.ran()) {
      b.append(String.format("Jlama on the same System 2 checkpoint, %d prompts x %d tokens, greedy, in its own JVM: %.1f tokens/s;%n"
          + "fsgen's System 2 alone on the same generations in process: %.1f tokens/s; same tokens on %d of %d prompts%n%n",
          j.prompts(), j.maxTokens(), j.jlamaTokensPerSecond(), j.fsgenTokensPerSecond(), j.samePrompts(), j.prompts()));
    } else {
      b.append("Jlama comparison skipped: ").append(j.skipped()).append("\n\n");
    }
    if (f.llamaCpp() != null) b.append(LlamaCppComparison.toTable(f.llamaCpp())).append('\n');
    if (f.concurrency() != null) b.append(ConcurrencyBench.toTable(f.concurrency())).append('\n');
    if (f.soak() != null) b.append(MemorySoak.toTable(f.soak())).append('\n');
    b.append("Targets:\n");
    for (Target t : f.targets()) {
      String verdict = t.met() == null ? "n/a" : t.met() ? "met" : "NOT met";
      String value = Double.isNaN(t.value()) ? "-" : format(t.value(), t.unit());
      b.append(String.format("  %-58s %8s  (target %s %s)  %s%s%n", t.name(), value, t.atLeast() ? ">=" : "<=",
          format(t.threshold(), t.unit()), verdict, t.note() == null ? "" : "  " + t.note()));
    }
    return b.toString();
  }

  private static String format(double v, String unit) {
    return switch (unit) {
      case "%" -> String.format("%.1f%%", 100 * v);
      case "x" -> String.format("%.2fx", v);
      default -> String.format("%.0f", v);
    };
  }
}
