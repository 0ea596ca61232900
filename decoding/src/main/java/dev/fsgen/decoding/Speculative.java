package dev.fsgen.decoding;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023). Each round System 1 drafts gamma
 * tokens in one call and System 2 scores all of them in one call. Greedy: draft tokens are kept
 * while they equal System 2's argmax, then System 2's argmax follows (a correction, or a bonus
 * when the whole draft passed), so the output equals System 2's greedy output. Sampling: the
 * {@link Acceptance} rule, so the output follows System 2's distribution exactly. A sampled round
 * drafts one token more than System 2 verifies and judges that one too against System 2's scores
 * after the draft, instead of drawing a free bonus token: every position is then decided the same
 * way, with System 1's proposal, the acceptance test and the resample drawn from the seed and the
 * position ({@link PositionRandom}), so the sampled tokens depend on the request and the seed
 * alone, not on the draft lengths (fixed, adaptive, or cut short at the end).
 *
 * <p>The last token, where no draft and bonus fit, is a one-token draft judged by System 2, so
 * every token of a run says what happened to System 1's proposal (kept, corrected, or a bonus).
 *
 * <p>Both sequences are rolled back past rejected tokens; a sequence is always given exactly the
 * decided tokens it has not seen, which keeps a remote server's cache an exact prefix.
 *
 * <p>Adaptive: each round's draft length, up to {@code gamma}, comes from the session's measured
 * acceptance and round times ({@link DraftLength}), a policy System 1's session owns ({@link
 * Proposer.Session#lengths}); the output is the same, greedy or sampled, only the speed moves.
 *
 * <p>Drafting ahead (greedy): while System 2 verifies a draft, System 1 drafts the next one on the
 * guess that the whole draft passes and that System 2's bonus token is System 1's own choice. When
 * the guess holds, the next round starts at once with its draft ready; when not, it is dropped.
 * It pays only where System 2 computes elsewhere (a remote service, {@link
 * Verifier.Session#verify}); in process verification runs first and the guess costs
 * System 1 time. The output is the same either way.
 *
 * @param gamma the draft length, or the longest one when adaptive
 * @param costs when adaptive, the round-time fit shared with other generations on the same models;
 *     null = each generation fits its own
 * @param draftAhead draft the next block while the current one is verified (greedy only; ignored
 *     when sampling, where System 2's bonus token is drawn and rarely guessed)
 */
public record Speculative(int gamma, boolean adaptive, RoundCosts costs, boolean draftAhead) implements Strategy {
  /**
   * The draft length when a request names none: the best measured across prompt sets and on the
   * memory-bound System 2 (docs/performance.md).
   */
  public static final int DEFAULT_GAMMA = 3;

  public Speculative {
    if (gamma < 1) throw new IllegalArgumentException("gamma must be at least 1, got " + gamma);
  }

  /** A fixed draft length. */
  public Speculative(int gamma) {
    this(gamma, false, null, false);
  }

  /** Fixed, or adaptive with a round-time fit of its own. */
  public Speculative(int gamma, boolean adaptive) {
    this(gamma, adaptive, null, false);
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
    String ahead = draftAhead ? ", ahead" : "";
    return adaptive ? "speculative(adaptive, gamma<=" + gamma + ahead + ")" : "speculative(gamma=" + gamma + ahead + ")";
  }

  @Override
  public Outcome run(ModelPair models, int[] prompt, DecodeRequest request, TokenSink sink) {
    Transcript t = new Transcript(prompt, request, models.contextLength(), sink);
    long seed = request.seed();
    SamplingParams params = t.sampling();
    boolean greedy = params.greedy();
    DraftPolicy policy = adaptive ? new DraftLength(gamma, Math.min(DEFAULT_GAMMA, gamma), costs) : DraftPolicy.fixed(gamma);
    boolean ahead = draftAhead && greedy;
    try (Proposer.Session draft = models.system1().openDrafting(policy);
         Verifier.Session target = models.system2().openVerifying()) {
      Draft ready = null; // drafted ahead by the last round, when its guess held
      while (!t.done()) {
        t.checkCancelled();
        // a round emits at most g + 1 tokens and feeds System 2 g tokens past the decided ones
        int g = Math.min(draft.lengths().next(), Math.min(t.remainingTokens() - 1, t.remainingContext() - 1));
        if (g < 1) {
          lastStep(t, draft, target, params, seed);
          ready = null;
          continue;
        }
        long start = System.nanoTime();
        // sampling drafts one token more than System 2 verifies: the position after the draft is
        // judged like every other (no free bonus draw), so each position's token depends on the
        // seed and the position alone, whatever the round's length
        Draft d = ready != null ? shorten(ready, g) : draftNow(t, draft, greedy ? g : g + 1, params, greedy, seed);
        ready = null;
        int decided = t.length();
        int[] verified = greedy ? d.tokens() : Arrays.copyOf(d.tokens(), g);
        CompletableFuture<Verification> scored = target.verify(t.pending(target.length()), verified, params, t.topLogprobs());
        Draft next = null;
        // the guess feeds System 1 up to 2g + 1 tokens past the decided ones: only where they fit
        if (ahead && t.remainingTokens() > 2 * g + 1 && t.remainingContext() > 2 * g + 2) {
          try {
            next = draftAhead(draft, decided, d, g, params);
            t.system1Calls++;
          } catch (RuntimeException e) {
            scored.handle((v, x) -> null).join(); // never leave System 2's call running behind a failure
            throw e;
          }
        }
        t.system2Calls++;
        int kept = judge(t, target, d, await(scored), next, params, seed);
        if (next != null && kept == d.tokens().length && t.lastToken() == next.tokens()[0] && !t.done()) {
          ready = new Draft(Arrays.copyOfRange(next.tokens(), 1, next.tokens().length), null,
              Arrays.copyOfRange(next.greedy(), 1, next.greedy().length), null, -1);
        } else {
          draft.rollback(Math.min(draft.length(), decided + kept));
        }
        draft.lengths().observe(g, kept, kept < d.tokens().length, System.nanoTime() - start);
      }
      fillLastChoice(t, draft);
    }
    return t.outcome();
  }

  /** System 1's draft of g tokens after the decided ones. */
  private static Draft draftNow(Transcript t, Proposer.Session draft, int g, SamplingParams params, boolean greedy,
      long seed) {
    Draft d = draft.draft(t.pending(draft.length()), g, params, seed, !greedy, false);
    t.system1Calls++;
    if (d.previousGreedy() >= 0 && t.generated() > 0) {
      // the draft scored the position of the last decided token: System 1's choice for a bonus token
      t.setSystem1Choice(t.generated() - 1, d.previousGreedy());
    }
    t.checkCancelled();
    return d;
  }

  /**
   * The guess drafted while System 2 verifies {@code d}: System 1's choice after the whole draft
   * (its guess of the bonus token), then {@code g} tokens after that: [g + 1] tokens. System 1's
   * sequence ends up holding the decided tokens, the draft, the guess and all but the last of the
   * rest, which is where it would stand after drafting those g tokens itself.
   */
  private static Draft draftAhead(Proposer.Session draft, int decided, Draft d, int g, SamplingParams greedy) {
    int n = d.tokens().length;
    draft.rollback(Math.min(draft.length(), decided + n - 1)); // a ready draft that was shortened held more
    // greedy with the request's penalties, which count the draft as decided: what System 1 would draft there
    return draft.draft(new int[] {d.tokens()[n - 1]}, g + 1, greedy, 0, false, false);
  }

  /** A ready draft cut to this round's length (the round's length can only have shrunk). */
  private static Draft shorten(Draft d, int g) {
    if (d.tokens().length <= g) return d;
    return new Draft(Arrays.copyOf(d.tokens(), g), null, Arrays.copyOf(d.greedy(), g), null, -1);
  }

  private static Verification await(CompletableFuture<Verification> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    }
  }

  /**
   * Keeps what System 2's scores {@code v} allow of draft {@code d}, adds its correction, or its
   * bonus token where {@code v} scores one position past the draft (greedy rounds), and rolls
   * System 2's sequence back past what it did not keep; returns the draft tokens kept.
   * {@code next}, when drafted ahead, holds System 1's choice at the bonus position. Sampled, the
   * draft token at sequence position n is kept by the acceptance rule with the uniform of (seed,
   * n), and a rejection resamples with another uniform of (seed, n).
   */
  private static int judge(Transcript t, Verifier.Session target, Draft d, Verification v, Draft next,
      SamplingParams params, long seed) {
    boolean greedy = params.greedy();
    int g = d.tokens().length;
    int decided = t.length();
    t.drafted += g;
    int kept = 0;
    boolean open = true;
    for (int i = 0; i < g && open; i++) {
      int x = d.tokens()[i];
      int position = decided + i;
      boolean ok = greedy
          ? v.argmax()[i] == x
          : Acceptance.accepts(v.distributions()[i][x], d.distributions()[i][x],
              PositionRandom.uniform(seed, position, PositionRandom.Use.ACCEPT));
      if (ok) {
        t.accepted++;
        kept++;
        open = t.add(x, Producer.SYSTEM1_ACCEPTED, d.greedy()[i], logprobs(t, v, i, x));
      } else {
        int y = greedy ? v.argmax()[i] : Sampler.draw(Acceptance.residual(v.distributions()[i], d.distributions()[i]),
            PositionRandom.uniform(seed, position, PositionRandom.Use.RESAMPLE));
        t.add(y, Producer.SYSTEM2_CORRECTION, d.greedy()[i], logprobs(t, v, i, y));
        open = false;
      }
    }
    if (open && v.positions() > g) {
      // greedy: System 2's argmax after the whole draft is its own choice, whatever the round's length
      int y = v.argmax()[g];
      // without a draft ahead System 1 has not scored this position yet; its next draft call will
      t.add(y, Producer.SYSTEM2_BONUS, next != null ? next.greedy()[0] : Transcript.UNKNOWN, logprobs(t, v, g, y));
    }
    t.flush();
    // keep what System 2 holds of the decided tokens; the rest is sent again next round
    target.rollback(Math.min(target.length(), decided + kept));
    return kept;
  }

  /**
   * Token {@code y}'s log-probabilities at position {@code i} of a verification, under System 2's
   * distribution, which every token of speculative decoding follows (kept, corrected or bonus):
   * the sampled distribution, or the greedy verification's temperature-1 scores. Null when the
   * request asked for none.
   */
  private static TokenLogprobs logprobs(Transcript t, Verification v, int i, int y) {
    if (!t.wantsLogprobs()) return null;
    if (v.distributions() != null) return Logprobs.pick(Logprobs.ofDistribution(v.distributions()[i]), y, t.topLogprobs());
    return v.logprobs()[i].forToken(y, t.topLogprobs());
  }

  /**
   * The last token, where no draft and bonus fit (the end of max_tokens or of the context): System 1
   * proposes one token and System 2 judges it as in any round, so the token is labelled by what
   * happened to the proposal (kept, or System 2's correction).
   */
  private static void lastStep(Transcript t, Proposer.Session draft, Verifier.Session target,
      SamplingParams params, long seed) {
    boolean greedy = params.greedy();
    // System 1 must be given at least one token: a guess drafted ahead may hold them all
    draft.rollback(Math.min(draft.length(), t.length() - 1));
    Draft d = draftNow(t, draft, 1, params, greedy, seed);
    // an empty draft: System 2 scores the one position after the decided tokens
    Verification v = await(target.verify(t.pending(target.length()), new int[0], params, t.topLogprobs()));
    t.system2Calls++;
    judge(t, target, d, v, null, params, seed);
  }

  /** Scores, with System 1, the output tokens it has not scored yet (a final bonus or plain step). */
  private static void fillLastChoice(Transcript t, Proposer.Session draft) {
    int n = t.generated();
    int promptLength = t.length() - n;
    for (int i = 0; i < n; i++) {
      if (t.system1Choice(i) != Transcript.UNKNOWN) continue;
      int position = promptLength + i; // where output token i sits among the decided tokens
      if (draft.length() >= position) draft.rollback(position - 1);
      t.setSystem1Choice(i, draft.choice(t.slice(draft.length(), position)));
      t.system1Calls++;
    }
  }
}
