package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StrategyEvalTest {
  private static StrategyEval.AccuracyRow row(String name, double accuracy, double share) {
    return new StrategyEval.AccuracyRow(name, accuracy, share, Double.NaN, 300);
  }

  @Test
  void theGatedTargetNeedsBothTheAccuracyAndTheShare() {
    String s = StrategyEval.gatedTarget(List.of(row("system1-only", 0.40, 0), row("system2-only", 0.80, 1),
        row("gated(a)", 0.72, 0.30), row("gated(b)", 0.71, 0.10), row("gated(c)", 0.79, 0.31)));
    assertTrue(s.contains("at least 90% of System 2's accuracy (here 72.0%)"), s);
    assertTrue(s.contains("System 1 alone reaches 50%"), s);
    assertTrue(s.contains("- gated(a): 90% of System 2's accuracy, System 2 share 30.0%: met."), s);
    assertTrue(s.contains("- gated(b): 89% of System 2's accuracy, System 2 share 10.0%: not met."), s);
    assertTrue(s.contains("- gated(c): 99% of System 2's accuracy, System 2 share 31.0%: not met."), s);
    assertEquals("", StrategyEval.gatedTarget(List.of(row("gated(a)", 0.5, 0.1))), "no baselines, no verdict");
  }

  @Test
  void proxyTuningThatWidensTheGapIsSaidSo() {
    // log-perplexities: base ln 100, oracle ln 10; the proxy-tuned model at ln 31.6 closes half the gap
    assertTrue(StrategyEval.gapClosed(100, Math.sqrt(1000), 10).contains("closes 50% of the gap"), StrategyEval.gapClosed(100, Math.sqrt(1000), 10));
    // the docs' broad-family case: the base at 23.7, the proxy-tuned model worse at 26.5, the tuned one at 20.5
    String widened = StrategyEval.gapClosed(23.7, 26.5, 20.5);
    assertTrue(widened.contains("widens the gap by 77%"), widened);
    assertFalse(widened.contains("closes"), widened);
  }
}
