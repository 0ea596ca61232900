package dev.fsgen.decoding;

import java.util.SplittableRandom;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023). Each round System 1 drafts gamma
 * tokens in one call and System 2 scores all of them in one call. Greedy: draft tokens are kept
 * while they equal System 2's argmax, then System 2's argmax follows (a correction, or a bonus
 * when the whole draft passed), so the output equals System 2's greedy output. Sampling: the
 * {@link Acceptance} rule, so the output follows System 2's distribution exactly.
 *
 * <p>Both sequences are rolled back past rejected tokens; a sequence is always given exactly the
 * decided tokens it has not seen, which keeps a remote server's cache an exact prefix.
 *
 * <p>Adaptive: each round's draft length, up to {@code gamma}, comes from the session's measured
 * acceptance and round times ({@link DraftLength}); the output is the same, only the speed moves.
 *
 * @param gamma the draft length, or the longest one when adaptive
 * @param costs when adaptive, the round-time fit shared with other generations on the same models;
 *     null = each generation fits its own
 */
public record Speculative(int gamma, boolean adaptive, RoundCosts costs) implements Strategy {
  public static final int DEFAULT_GAMMA = 4;

  public Speculative {
    if (gamma < 1) throw new IllegalArgumentException("gamma must be at least 1, got " + gamma);
  }

  /** A fixed draft length. */
  public Speculative(int gamma) {
    this(gamma, false, null);
  }

  /** Fixed, or adaptive with a round-time fit of its own. */
  public Speculative(int gamma, boolean adaptive) {
    this(gamma, adaptive, null);
  }

  /**
   * Tokens a round yields on average when each draft token is kept with probability α
   * independently (Leviathan et al.): (1 − α^(γ+1)) / (1 − α), γ + 1 when every token is kept.
   */
  public static double expectedTokensPerRound(double alpha, int gamma) {
    return alpha >= 1 ? gamma + 1 : (1 - Math.pow(alpha, gamma + 1)) / (1 - alpha);
  }

  @Override
  public String name() {
    return adaptive ? "speculative(adaptive, gamma<=" + gamma + ")" : "speculative(gamma=" + gamma + ")";
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    SplittableRandom rng = new SplittableRandom(request.seed());
    SamplingParams params = request.sampling();
    boolean greedy = params.greedy();
    DraftLength lengths = adaptive ? new DraftLength(gamma, Math.min(DEFAULT_GAMMA, gamma), costs) : null;
    try (LanguageModel.Sequence draft = models.system1().newSequence();
         LanguageModel.Sequence target = models.system2().newSequence()) {
      while (!t.done()) {
        t.checkCancelled();
        // a round emits at most g + 1 tokens and feeds System 2 g tokens past the decided ones
        int g = Math.min(lengths == null ? gamma : lengths.next(), Math.min(t.remainingTokens() - 1, t.remainingContext() - 1));
        if (g < 1) {
          plainStep(t, target, params, rng);
          continue;
        }
        long start = System.nanoTime();
        int kept = round(t, draft, target, g, params, greedy, rng);
        if (lengths != null) lengths.observe(g, kept, kept < g, System.nanoTime() - start);
      }
      fillLastChoice(t, draft);
    }
    return t.outcome();
  }

  /** One draft-and-verify round; returns the draft tokens kept. */
  private static int round(Transcript t, LanguageModel.Sequence draft, LanguageModel.Sequence target, int g,
      SamplingParams params, boolean greedy, SplittableRandom rng) {
    int decided = t.length();
    int[] draftPending = t.pending(draft.length());
    Draft d = draft.draft(draftPending, g, params, rng.nextLong(), !greedy, false);
    t.system1Calls++;
    if (d.previousGreedy() >= 0 && t.generated() > 0) {
      // the draft scored the position of the last decided token: System 1's choice for a bonus token
      t.setSystem1Choice(t.generated() - 1, d.previousGreedy());
    }
    t.checkCancelled();
    Verification v = target.verify(t.pending(target.length()), d.tokens(), params);
    t.system2Calls++;
    t.drafted += g;
    int kept = 0;
    boolean open = true;
    for (int i = 0; i < g && open; i++) {
      int x = d.tokens()[i];
      boolean ok = greedy
          ? v.argmax()[i] == x
          : Acceptance.accepts(v.distributions()[i][x], d.distributions()[i][x], rng.nextDouble());
      if (ok) {
        t.accepted++;
        kept++;
        open = t.add(x, Producer.SYSTEM1_ACCEPTED, d.greedy()[i]);
      } else {
        int y = greedy ? v.argmax()[i] : Sampler.draw(Acceptance.residual(v.distributions()[i], d.distributions()[i]), rng);
        t.add(y, Producer.SYSTEM2_CORRECTION, d.greedy()[i]);
        open = false;
      }
    }
    if (open) {
      int y = greedy ? v.argmax()[g] : Sampler.draw(v.distributions()[g], rng);
      // System 1 has not scored this position yet; its next draft call will
      t.add(y, Producer.SYSTEM2_BONUS, Transcript.UNKNOWN);
    }
    t.flush();
    // keep what both sequences hold of the decided tokens; the rest is sent again next round
    target.rollback(decided + kept);
    draft.rollback(Math.min(draft.length(), decided + kept));
    return kept;
  }

  /** One System 2 step where no draft fits (the last token of max_tokens or of the context). */
  private static void plainStep(Transcript t, LanguageModel.Sequence target, SamplingParams params, SplittableRandom rng) {
    int[] pending = t.pending(target.length());
    int y = params.greedy()
        ? target.nextArgmax(pending)
        : Sampler.draw(target.nextDistribution(pending, params), rng);
    t.system2Calls++;
    t.add(y, Producer.SYSTEM2, Transcript.UNKNOWN);
    t.flush();
  }

  /** Scores, with System 1, the output tokens it has not scored yet (a final bonus or plain step). */
  private static void fillLastChoice(Transcript t, LanguageModel.Sequence draft) {
    int n = t.generated();
    int promptLength = t.length() - n;
    for (int i = 0; i < n; i++) {
      if (t.system1Choice(i) != Transcript.UNKNOWN) continue;
      int position = promptLength + i; // where output token i sits among the decided tokens
      if (draft.length() >= position) draft.rollback(position - 1);
      t.setSystem1Choice(i, draft.nextArgmax(t.slice(draft.length(), position)));
      t.system1Calls++;
    }
  }
}
