package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
