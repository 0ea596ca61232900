package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The suite's verdicts, from figures made up to sit on either side of each target. */
class BenchSuiteTest {
  static SpeculativeBench.Run run(double tokensPerSecond) {
    return new SpeculativeBench.Run("r", 100, 100 / tokensPerSecond, tokensPerSecond, 0, 0, 0, 0, 0, 0, 0, 0, new long[4]);
  }

  static SpeculativeBench.Figures speculative(double best, boolean ahead, double worst, double grpc, double inProcess) {
    SpeculativeBench.Row row = new SpeculativeBench.Row(2, 0.7, 0.2, 1.5, 1.1, worst, 1.4, 1.2, 1.2, 0.9, 1.3,
        run(1100), run(1300), run(1000));
    List<AdaptiveDrafting.Row> adaptive = List.of(
        new AdaptiveDrafting.Row("prose", new double[8], 2, 100, 101, 2, 1.01),
        new AdaptiveDrafting.Row("bible", new double[8], 2, 100, 96, 2, 0.96),
        new AdaptiveDrafting.Row("arithmetic", new double[8], 1, 100, 98, 1.5, 0.98));
    return new SpeculativeBench.Figures("a", "b", 1, 10, "own", 12, 128, 2, 0.2, 1.0, 0.2, 0.2, grpc, inProcess, List.of(row), best, 2,
        ahead, worst, best >= 2, worst >= 0.9, adaptive);
  }

  static ConcurrencyBench.Figures concurrency(double s16) {
    return new ConcurrencyBench.Figures(64, 1, List.of(), s16, 1.5, 1.2, s16 >= ConcurrencyBench.TARGET_SCALING);
  }

  static BenchSuite.Target find(List<BenchSuite.Target> targets, String start) {
    return targets.stream().filter(t -> t.name().startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(start));
  }

  @Test
  void eachFigureIsJudgedOnItsSideOfTheTarget() {
    JlamaComparison jlama = new JlamaComparison(null, 12, 128, 800, 900, 12);
    MemorySoak.Figures soak = new MemorySoak.Figures(16, 10, 64, 100, 6400, 10, List.of(), 0.02, true);
    List<BenchSuite.Target> t = BenchSuite.targets(speculative(1.3, true, 0.6, 540, 600), jlama, null, concurrency(2), soak);
    assertFalse(find(t, "speculative / System 2 alone").met());
    assertTrue(find(t, "speculative / System 2 alone").name().contains("ahead"));
    assertFalse(find(t, "measured / expected").met());
    // the best configuration drafts ahead: its run (1300 tokens/s) against Jlama's 800
    assertEquals(1300 / 800.0, find(t, "speculative (best) / Jlama").value(), 1e-9);
    assertTrue(find(t, "speculative (best) / Jlama").met());
    assertTrue(find(t, "System 2 alone, fsgen / Jlama").met()); // 900 against 800
    assertFalse(find(t, "System 2 alone, fsgen over gRPC / Jlama").met()); // 540 against 800
    assertEquals(0.1, find(t, "time outside the models").value(), 1e-9); // 1 - 540 / 600
    assertTrue(find(t, "time outside the models").met()); // at most 10%
    assertFalse(find(t, "16 streams / 1 stream, System 2").met()); // 2 against 3.5
    assertEquals(1.2, find(t, "16 streams, speculative / System 2 alone").value(), 1e-9);
    assertTrue(find(t, "16 streams, speculative / System 2 alone").met());
    assertEquals(2, find(t, "prompt sets where adaptive").value()); // two ties (1.01, 0.98); 0.96 loses
    assertTrue(find(t, "prompt sets where adaptive").met());
    assertTrue(find(t, "resident memory growth").met());
    assertTrue(BenchSuite.toTable(new BenchSuite.Figures(speculative(1.3, true, 0.6, 540, 600), jlama, null, concurrency(2), soak, t))
        .contains("NOT met"));
  }

  @Test
  void whatDidNotRunIsNeitherMetNorMissed() {
    List<BenchSuite.Target> t = BenchSuite.targets(speculative(2.1, false, 0.95, 590, 600), JlamaComparison.skipped("no Java 21"),
        null, concurrency(7), null);
    assertTrue(find(t, "speculative / System 2 alone").met());
    for (String jlama : List.of("speculative (best) / Jlama", "System 2 alone, fsgen / Jlama", "System 2 alone, fsgen over gRPC")) {
      assertNull(find(t, jlama).met(), jlama);
      assertTrue(find(t, jlama).note().contains("no Java 21"));
    }
    assertNull(find(t, "resident memory growth").met());
    assertTrue(find(t, "16 streams / 1 stream, System 2").met());
    assertNull(find(t, "speculative (best) / llama.cpp").met());
    assertEquals("not run", find(t, "speculative (best) / llama.cpp").note());
  }
}
