package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * Proxy tuning / emulated fine-tuning: System 2 (the large base model) steered by what tuning
 * changed in System 1, large_base + alpha (small_tuned - small_base). The pair's
 * {@code system1} is the tuned small model and {@code system1Base} its base. Three calls per token,
 * all on the same prefix.
 */
public record ProxyTuned(double alpha) implements Strategy {
  public ProxyTuned {
    if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
  }

  @Override
  public String name() {
    return "proxy-tuning(alpha=" + alpha + ")";
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    if (models.system1Base() == null) {
      throw new IllegalArgumentException("proxy tuning needs System 1's base model beside its tuned one");
    }
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    try (Scorer.Session tuned = models.system1().openScoring();
         Scorer.Session base = models.system1Base().openScoring();
         Scorer.Session large = models.system2().openScoring()) {
      while (!t.done()) {
        t.checkCancelled();
        float[] st = tuned.logits(t.pending(tuned.length())); // [vocab]
        float[] sb = base.logits(t.pending(base.length()));
        t.system1Calls += 2;
        float[] l = large.logits(t.pending(large.length()));
        t.system2Calls++;
        t.setUncertainty(Uncertainty.of(st));
        // the penalties apply once, to the combined scores, as they would to one model's logits
        ScorerStep.Choice c = ScorerStep.fromLogits(t.penalise(LogitCombiner.proxy(l, st, sb, alpha)), t, rng);
        t.add(c.token(), Producer.COMBINED, Sampler.argmax(t.penalise(st)), c.logprobs());
        t.flush();
      }
    }
    return t.outcome();
  }
}
