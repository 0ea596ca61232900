package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * Contrastive decoding: each token from System 2's and System 1's next-token logits combined by
 * {@link LogitCombiner}, in Li et al.'s form (expert log-probability minus beta times the
 * amateur's) or FS-GEN's (System 1's logits moved by beta towards System 2's), both over the
 * plausibility set of System 2's tokens within a factor alpha of its most likely one. One call to
 * each model per token; greedy or sampled from the combined scores.
 */
public record Contrastive(Form form, double alpha, double beta) implements Strategy {
  /** Which combination; contrastive search is a different method and not one of them. */
  public enum Form {
    LI(0.5),
    FSGEN(0.5);

    /** beta when a request leaves it unset. */
    public final double defaultBeta;

    Form(double defaultBeta) {
      this.defaultBeta = defaultBeta;
    }
  }

  public static final double DEFAULT_ALPHA = 0.1;

  public Contrastive {
    if (form == null) throw new IllegalArgumentException("form must be given");
    if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be a finite number >= 0, got " + beta);
  }

  @Override
  public String name() {
    return "contrastive-" + form.name().toLowerCase() + "(alpha=" + alpha + ", beta=" + beta + ")";
  }

  float[] combine(float[] large, float[] small) {
    return form == Form.LI
        ? LogitCombiner.contrastiveLi(large, small, alpha, beta)
        : LogitCombiner.contrastiveFsGen(large, small, alpha, beta);
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    try (Scorer.Session small = models.system1().openScoring();
         Scorer.Session large = models.system2().openScoring()) {
      while (!t.done()) {
        t.checkCancelled();
        float[] s = small.logits(t.pending(small.length())); // [vocab]
        t.system1Calls++;
        float[] l = large.logits(t.pending(large.length())); // [vocab]
        t.system2Calls++;
        t.setUncertainty(Uncertainty.of(s));
        // the penalties apply once, to the combined scores, as they would to one model's logits
        ScorerStep.Choice c = ScorerStep.fromLogits(t.penalise(combine(l, s)), t, rng);
        t.add(c.token(), Producer.COMBINED, Sampler.argmax(t.penalise(s)), c.logprobs());
        t.flush();
      }
    }
    return t.outcome();
  }
}
