package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * The baselines: one model generates alone, one call per token. System 1 alone reports its own
 * collaboration frequency (zero when greedy; the share of sampled tokens that are not its argmax
 * otherwise); System 2 alone leaves it unmeasured, since System 1 is not consulted.
 */
public record SingleModel(Role role) implements Strategy {
  public enum Role { SYSTEM1, SYSTEM2 }

  public SingleModel {
    if (role == null) throw new IllegalArgumentException("role must be given");
  }

  @Override
  public String name() {
    return role == Role.SYSTEM1 ? "system1-only" : "system2-only";
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    boolean first = role == Role.SYSTEM1;
    LanguageModel model = first ? models.system1() : models.system2();
    Producer producer = first ? Producer.SYSTEM1 : Producer.SYSTEM2;
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    SamplingParams params = request.sampling();
    try (LanguageModel.Sequence seq = model.newSequence()) {
      while (!t.done()) {
        t.checkCancelled();
        int[] pending = t.pending(seq.length());
        int next;
        int argmax;
        if (params.greedy()) {
          next = argmax = seq.nextArgmax(pending);
        } else {
          float[] p = seq.nextDistribution(pending, params); // [vocab]
          argmax = Sampler.argmax(p);
          next = Sampler.draw(p, rng);
        }
        if (first) t.system1Calls++;
        else t.system2Calls++;
        t.add(next, producer, first ? argmax : Transcript.UNKNOWN);
        t.flush();
      }
    }
    return t.outcome();
  }
}
