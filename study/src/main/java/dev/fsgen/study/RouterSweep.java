package dev.fsgen.study;

import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.RouterFit;
import dev.fsgen.decoding.Uncertainty;
import java.util.ArrayList;
import java.util.List;

/** The routers of gated handoff and the thresholds the study sweeps each one over. */
public enum RouterSweep {
  TOP1("top-1 probability", new double[] {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}),
  MARGIN("top-1/top-2 margin", new double[] {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8}),
  ENTROPY("entropy", new double[] {4, 3, 2, 1.5, 1, 0.75, 0.5, 0.25, 0.1}),
  LEARNED("learned", new double[] {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1});

  public final String label;
  private final double[] thresholds;

  RouterSweep(String label, double[] thresholds) {
    this.label = label;
    this.thresholds = thresholds;
  }

  /** Every threshold, or three spread over the range (first, middle, last) for a quick run. */
  public double[] thresholds(boolean quick) {
    if (!quick) return thresholds.clone();
    return new double[] {thresholds[0], thresholds[thresholds.length / 2], thresholds[thresholds.length - 1]};
  }

  /** The router at one threshold; the learned one needs its fitted weights. */
  public Router router(double threshold, RouterFit.Result learned) {
    return switch (this) {
      case TOP1 -> new Router.TopProbability(threshold);
      case MARGIN -> new Router.Margin(threshold);
      case ENTROPY -> new Router.Entropy(threshold);
      case LEARNED -> new Router.Learned(learned.router().weights(), learned.router().bias(), threshold);
    };
  }

  /**
   * Fits the learned router on the oracle's records (the study passes those of the arithmetic validation
   * problems, so the test problems it is scored on never train it): System 1's uncertainty → whether
   * System 2 chose differently.
   */
  public static RouterFit.Result fitLearned(List<UnitResult> oracleUnits) {
    List<RouterFit.Example> examples = new ArrayList<>();
    for (UnitResult u : oracleUnits) {
      for (UnitResult.TokenRecord r : u.records()) {
        if (r.topK() != null) examples.add(new RouterFit.Example(new Uncertainty(r.entropy(), r.top1(), r.margin(), r.topK()), r.intervened()));
      }
    }
    return RouterFit.fit(examples, 0.5, 3000);
  }
}
