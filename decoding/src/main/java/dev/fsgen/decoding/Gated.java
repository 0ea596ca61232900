package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * Uncertainty-gated handoff, FS-GEN's finding made a strategy: System 1 generates, and where its
 * {@link Router} finds it too unsure, System 2 produces the token instead. A budget caps the share
 * of tokens System 2 may produce: of the first n tokens, at most ⌈budget·n⌉. Rounding up lets
 * System 2 take the first uncertain token of a short answer — where a handoff matters most — that
 * a strict running share (at most budget·n) would refuse until n ≥ 1/budget; over longer outputs
 * the two agree. System 2 is called only at a handoff, with every decided token it has not seen
 * in one block.
 *
 * @param budget the share of the generated tokens System 2 may produce, in [0, 1]: at most ⌈budget·n⌉ of the first n
 */
public record Gated(Router router, double budget) implements Strategy {
  public Gated {
    if (router == null) throw new IllegalArgumentException("router must be given");
    if (!(budget >= 0 && budget <= 1)) throw new IllegalArgumentException("budget must be in [0, 1], got " + budget);
  }

  @Override
  public String name() {
    return "gated(" + router.name() + ", budget=" + budget + ")";
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    int bySystem2 = 0;
    try (Scorer.Session small = models.system1().openScoring();
         Scorer.Session large = models.system2().openScoring()) {
      while (!t.done()) {
        t.checkCancelled();
        float[] s = small.logits(t.pending(small.length())); // [vocab]
        t.system1Calls++;
        Uncertainty u = Uncertainty.of(s);
        t.setUncertainty(u);
        float[] penalised = t.penalise(s); // System 1's scores under the request's penalties: its choice and its token
        int choice = Sampler.argmax(penalised);
        boolean allowed = bySystem2 + 1 <= Math.ceil(budget * (t.generated() + 1) - 1e-9);
        if (router.handOff(u) && allowed) {
          ScorerStep.Choice y = ScorerStep.next(large, t, rng);
          t.system2Calls++;
          bySystem2++;
          t.add(y.token(), Producer.SYSTEM2, choice, y.logprobs());
        } else {
          ScorerStep.Choice x = ScorerStep.fromLogits(penalised, t, rng);
          t.add(x.token(), Producer.SYSTEM1, choice, x.logprobs());
        }
        t.flush();
      }
    }
    return t.outcome();
  }
}
