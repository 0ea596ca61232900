package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.bench.reference.JlamaReference;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jlama and fsgen generate the same greedy tokens from the bundled System 2, and both are timed (Java 21+ only). */
class JlamaComparisonTest {
  @Test
  void bothImplementationsGenerateTheSameTokensAndAreTimed() throws Exception {
    assumeTrue(JlamaReference.find().isPresent(), "Jlama comparison skipped: " + JlamaReference.unavailableReason());
    Path system2 = MemorySoakTest.ROOT.resolve("models/system2");
    JlamaComparison c = JlamaComparison.measure(system2, List.of("The history of the city", "In the beginning"), 24, line -> {});
    assertTrue(c.ran());
    assertEquals(2, c.prompts());
    assertEquals(2, c.samePrompts(), "Jlama's greedy tokens differ from fsgen's");
    assertTrue(c.jlamaTokensPerSecond() > 0 && Double.isFinite(c.jlamaTokensPerSecond()), c.toString());
    assertTrue(c.fsgenTokensPerSecond() > 0 && Double.isFinite(c.fsgenTokensPerSecond()), c.toString());
    assertEquals(c.fsgenTokensPerSecond() / c.jlamaTokensPerSecond(), c.ratio(c.fsgenTokensPerSecond()), 1e-12);
  }

  @Test
  void aSkippedComparisonHasNoRatio() {
    JlamaComparison c = JlamaComparison.skipped("no Java 21");
    assertFalse(c.ran());
    assertTrue(Double.isNaN(c.ratio(100)));
  }
}
