package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.bench.reference.LlamaCpp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama.cpp's tools on the bundled pair: every figure measured, and the same greedy text as fsgen's (tools built only). */
class LlamaCppComparisonTest {
  @Test
  void measuresEveryFigureAndAgreesWithFsgen(@TempDir Path dir) {
    assumeTrue(LlamaCpp.find().isPresent(), "llama.cpp comparison skipped: " + LlamaCpp.unavailableReason());
    Path root = MemorySoakTest.ROOT;
    LlamaCppComparison.Settings s = new LlamaCppComparison.Settings(root.resolve("models/system1"), root.resolve("models/system2"),
        dir, 2, 32, 16, 1, 2, 16, 4);
    LlamaCppComparison c = LlamaCppComparison.measure(s, line -> {});
    assertTrue(c.ran(), c.skipped());
    for (LlamaCppComparison.Speed sp : new LlamaCppComparison.Speed[] {c.system2F16(), c.system2F32(), c.system1F16()}) {
      assertTrue(sp.decodeTokensPerSecond() > 0 && sp.prefillTokensPerSecond() > 0, sp.toString());
    }
    assertTrue(c.speculative().tokens() >= 2 * 32, c.speculative().toString());
    assertTrue(c.speculative().tokensPerSecond() > 0, c.speculative().toString());
    assertEquals(2, c.sameTokenization(), c.differences().toString());
    assertEquals(2, c.sameGreedyF32(), c.differences().toString());
    assertTrue(Double.isFinite(c.fsgenSystem2TokensPerSecond()) && c.fsgenSystem2TokensPerSecond() > 0);
    assertTrue(LlamaCppComparison.toTable(c).contains("system2-f32.gguf"));
    assertTrue(LlamaCppComparison.toJson(c).contains("\"sameGreedyF32\": 2"));
  }

  @Test
  void aSkippedComparisonSaysWhyAndHasNoRatios() {
    LlamaCppComparison c = LlamaCppComparison.skipped("no llama.cpp");
    assertFalse(c.ran());
    assertTrue(Double.isNaN(c.ratio(100)));
    assertTrue(Double.isNaN(c.speculativeSpeedup()));
    assertEquals("llama.cpp comparison skipped: no llama.cpp\n", LlamaCppComparison.toTable(c));
    assertTrue(LlamaCppComparison.toJson(c).contains("no llama.cpp"));
  }

  @Test
  void continuationsAgreeWhenOneExtendsTheOther() {
    assertTrue(LlamaCppComparison.prefixAgree("The city was\n\n", "The city was old"));
    assertFalse(LlamaCppComparison.prefixAgree("The city was new", "The city was old"));
    assertTrue(LlamaCppComparison.difference("abcX", "abcY").startsWith("differs at char 3"));
  }
}
