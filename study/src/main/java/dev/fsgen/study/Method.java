package dev.fsgen.study;

import dev.fsgen.decoding.Contrastive;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.Oracle;
import dev.fsgen.decoding.ProxyTuned;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;

/**
 * What the study runs on every pair. The first four are FS-GEN's collaboration methods, whose
 * collaboration frequency the scaling law is fitted to; the others are only scored on arithmetic.
 */
public enum Method {
  /** System 2 greedy, System 1 scored on System 2's prefix: FS-GEN's reference measurement. */
  ORACLE("oracle", true, new Oracle()),
  /** Contrastive decoding in the FS-GEN form, logits_S + β(logits_L − logits_S), β = 0.5. */
  CONTRASTIVE("contrastive", true, new Contrastive(Contrastive.Form.FSGEN, Contrastive.DEFAULT_ALPHA, Contrastive.Form.FSGEN.defaultBeta)),
  /** Proxy tuning: L + (S_tuned − S_base), with the Bible-tuned small model. */
  PROXY("proxy", true, new ProxyTuned(1.0)),
  /** Greedy speculative decoding, γ = 4: it emits System 2's greedy output, so its CF is the oracle's; its own figure is System 2's rejections. */
  SPECULATIVE("speculative", true, new Speculative(4)),
  SYSTEM1_ONLY("system1-only", false, new SingleModel(SingleModel.Role.SYSTEM1)),
  GATED_TOP1("gated top-1 < 0.5", false, new Gated(new Router.TopProbability(Router.TopProbability.DEFAULT), 1.0)),
  GATED_MARGIN("gated margin < 0.2", false, new Gated(new Router.Margin(Router.Margin.DEFAULT), 1.0));

  public final String id;
  /** Whether its collaboration frequency is measured on every domain (otherwise arithmetic only). */
  public final boolean collaboration;
  public final Strategy strategy;

  Method(String id, boolean collaboration, Strategy strategy) {
    this.id = id;
    this.collaboration = collaboration;
    this.strategy = strategy;
  }

  public boolean needsTunedSmall() {
    return this == PROXY;
  }
}
