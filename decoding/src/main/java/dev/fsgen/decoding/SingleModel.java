package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * The baselines: one model generates alone, one call per token. System 1 alone reports its own
 * collaboration frequency (zero when greedy; the share of sampled tokens that are not its argmax
 * otherwise). System 2 alone does not consult System 1 while it generates, so that its timing is
 * System 2's alone; {@link #system1Choices} scores its text afterwards, in one System 1 call, for
 * the collaboration frequency by the same definition as every other strategy's.
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

  /**
   * System 1's greedy choice at each position of {@code output} after {@code prompt}, scored in one
   * call on a fresh sequence; -1 where the model did not score a position. These are the raw
   * argmaxes: a request's penalties, which the strategies' own choices follow, are not applied.
   */
  public static int[] system1Choices(Scorer system1, int[] prompt, int[] output) {
    if (output.length == 0) return new int[0];
    int[] text = java.util.Arrays.copyOf(prompt, prompt.length + output.length - 1); // the last token is never a prefix
    System.arraycopy(output, 0, text, prompt.length, output.length - 1);
    try (Scorer.Session s = system1.openScoring()) {
      int[] after = s.argmaxAfterEach(text);
      return java.util.Arrays.copyOfRange(after, prompt.length - 1, text.length);
    }
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    boolean first = role == Role.SYSTEM1;
    Scorer model = first ? models.system1() : models.system2();
    Producer producer = first ? Producer.SYSTEM1 : Producer.SYSTEM2;
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    try (Scorer.Session seq = model.openScoring()) {
      while (!t.done()) {
        t.checkCancelled();
        ScorerStep.Choice c = ScorerStep.next(seq, t, rng);
        if (first) t.system1Calls++;
        else t.system2Calls++;
        t.add(c.token(), producer, first ? c.argmax() : Transcript.UNKNOWN, c.logprobs());
        t.flush();
      }
    }
    return t.outcome();
  }
}
