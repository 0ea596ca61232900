package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * One token from a scoring model's next-token scores, as the baselines, the oracle and the gated
 * handoff take it. The cheapest call that answers: the argmax alone when greedy without penalties
 * or log-probabilities; the logits, penalised here by the transcript's counts, when greedy needs
 * more; the distribution, penalised by the model's session, when sampling.
 */
final class ScorerStep {
  /**
   * @param token the token chosen
   * @param argmax the model's most likely token, penalties applied
   * @param logprobs the token's log-probabilities when the request asked for them, else null
   */
  record Choice(int token, int argmax, TokenLogprobs logprobs) {}

  private ScorerStep() {}

  static Choice next(Scorer.Session seq, Transcript t, SplittableRandom rng) {
    int[] pending = t.pending(seq.length());
    SamplingParams params = t.sampling();
    if (params.greedy()) {
      if (!params.penalised() && !t.wantsLogprobs()) {
        int a = seq.argmax(pending);
        return new Choice(a, a, null);
      }
      float[] logits = t.penalise(seq.logits(pending)); // [vocab]
      int a = Sampler.argmax(logits);
      return new Choice(a, a, t.wantsLogprobs() ? Logprobs.pick(Logprobs.ofLogits(logits, params), a, t.topLogprobs()) : null);
    }
    float[] p = seq.distribution(pending, params); // [vocab]
    int y = Sampler.draw(p, rng);
    return new Choice(y, Sampler.argmax(p), t.wantsLogprobs() ? Logprobs.pick(Logprobs.ofDistribution(p), y, t.topLogprobs()) : null);
  }

  /** A token drawn (or taken greedily) from scores a strategy holds, already penalised: [vocab]. */
  static Choice fromLogits(float[] logits, Transcript t, SplittableRandom rng) {
    SamplingParams params = t.sampling();
    int y = Sampler.sample(logits, params, rng);
    return new Choice(y, Sampler.argmax(logits),
        t.wantsLogprobs() ? Logprobs.pick(Logprobs.ofLogits(logits, params), y, t.topLogprobs()) : null);
  }
}
