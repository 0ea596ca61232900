package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * The analysis mode behind FS-GEN's collaboration frequency: System 2 generates (greedily, as
 * the study does, unless the request samples) and System 1 is scored on the same prefix at every
 * token, recording its choice and its uncertainty. The tokens where the two choices differ are
 * where System 2 was needed.
 */
public record Oracle() implements Strategy {
  @Override
  public String name() {
    return "oracle";
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
        t.setUncertainty(Uncertainty.of(s));
        ScorerStep.Choice y = ScorerStep.next(large, t, rng);
        t.system2Calls++;
        t.add(y.token(), Producer.SYSTEM2, Sampler.argmax(t.penalise(s)), y.logprobs());
        t.flush();
      }
    }
    return t.outcome();
  }
}
