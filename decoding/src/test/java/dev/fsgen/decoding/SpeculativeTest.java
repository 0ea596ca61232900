package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpeculativeTest {
  private static final int VOCAB = 64;
  private final BigramModel target = new BigramModel(VOCAB, 200, 2.0, 1);
  // a draft model that agrees with the target often but not always
  private final BigramModel drafter = new BigramModel(target, 1.0, 2);
  private final ModelPair pair = new ModelPair(drafter, target);

  private static int[] prompt(long seed, int length) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] p = new int[length];
    for (int i = 0; i < length; i++) p[i] = rng.nextInt(VOCAB);
    return p;
  }

  @Test
  void greedyOutputEqualsSystem2AloneForEveryGamma() {
    for (int gamma = 1; gamma <= 8; gamma++) {
      for (int k = 0; k < 10; k++) {
        int[] p = prompt(k, 1 + k % 4);
        DecodeRequest r = new DecodeRequest(40, SamplingParams.GREEDY, 0, k % 3 == 0 ? Set.of(5) : Set.of());
        Outcome alone = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, p, r, TokenSink.NONE);
        Outcome spec = new Speculative(gamma).run(pair, p, r, TokenSink.NONE);
        assertArrayEquals(alone.tokens(), spec.tokens(), "gamma " + gamma + " prompt " + k);
        assertEquals(alone.finish(), spec.finish());
      }
    }
    assertEquals(0, drafter.openSequences);
    assertEquals(0, target.openSequences);
  }

  @Test
  void adaptiveDraftLengthsKeepTheGreedyOutput() {
    for (int k = 0; k < 10; k++) {
      int[] p = prompt(100 + k, 1 + k % 4);
      DecodeRequest r = new DecodeRequest(60, SamplingParams.GREEDY, 0, k % 3 == 0 ? Set.of(5) : Set.of());
      Outcome alone = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, p, r, TokenSink.NONE);
      Outcome spec = new Speculative(8, true).run(pair, p, r, TokenSink.NONE);
      assertArrayEquals(alone.tokens(), spec.tokens(), "prompt " + k);
      assertEquals(alone.finish(), spec.finish());
    }
    assertEquals(0, drafter.openSequences);
    assertEquals(0, target.openSequences);
  }

  @Test
  void sampledOutputDependsOnTheRequestAndSeedAloneNotOnTheDraftLengths() {
    SamplingParams sp = new SamplingParams(0.8, 0, 0.95);
    for (int k = 0; k < 8; k++) {
      int[] p = prompt(300 + k, 1 + k % 4);
      DecodeRequest r = new DecodeRequest(48, sp, 7 + k, k % 3 == 0 ? Set.of(5) : Set.of());
      int[] want = new Speculative(3).run(pair, p, r, TokenSink.NONE).tokens();
      for (int gamma = 1; gamma <= 8; gamma++) {
        assertArrayEquals(want, new Speculative(gamma).run(pair, p, r, TokenSink.NONE).tokens(), "gamma " + gamma + " prompt " + k);
      }
      // adaptive, with round-cost fits that pick different lengths: short rounds, long rounds, none yet
      RoundCosts cheapRounds = new RoundCosts(0.5);
      RoundCosts dearRounds = new RoundCosts(0.5);
      for (int g = 1; g <= 8; g++) {
        cheapRounds.observe(g, 0.001 + 0.010 * g);
        dearRounds.observe(g, 0.100 + 0.001 * g);
      }
      for (RoundCosts costs : new RoundCosts[] {null, cheapRounds, dearRounds}) {
        assertArrayEquals(want, new Speculative(8, true, costs, false).run(pair, p, r, TokenSink.NONE).tokens(), "adaptive, prompt " + k);
      }
      // drafting ahead is greedy only: asked for with sampling, it changes nothing
      assertArrayEquals(want, new Speculative(4, false, null, true).run(pair, p, r, TokenSink.NONE).tokens());
    }
    assertEquals(0, drafter.openSequences);
    assertEquals(0, target.openSequences);
  }

  @Test
  void everyTokenSaysWhatHappenedToSystem1sProposalUpToTheLastOne() {
    for (SamplingParams sp : new SamplingParams[] {SamplingParams.GREEDY, new SamplingParams(0.8, 0, 0.95)}) {
      for (int max = 1; max <= 12; max++) {
        for (int gamma : new int[] {1, 3, 8}) {
          Outcome o = new Speculative(gamma).run(pair, prompt(400 + max, 2), new DecodeRequest(max, sp, max, Set.of()), TokenSink.NONE);
          assertEquals(max, o.tokens().length);
          for (int i = 0; i < max; i++) {
            assertTrue(o.producers()[i] != Producer.SYSTEM2, "token " + i + " of " + max + " (gamma " + gamma + ", " + sp
                + ") is labelled as System 2 alone's");
          }
          if (!sp.greedy()) {
            for (Producer pr : o.producers()) assertTrue(pr != Producer.SYSTEM2_BONUS, "sampling judges every position");
          }
          assertEquals(max, o.scored(), "System 1's choice is known for every token");
        }
      }
    }
  }

  @Test
  void draftingAheadKeepsTheOutputAndSystem1sChoices() {
    for (boolean adaptive : new boolean[] {false, true}) {
      for (int gamma = 1; gamma <= 6; gamma++) {
        for (int k = 0; k < 8; k++) {
          int[] p = prompt(200 + k, 1 + k % 4);
          DecodeRequest r = new DecodeRequest(50, SamplingParams.GREEDY, 0, k % 3 == 0 ? Set.of(5) : Set.of());
          Outcome plain = new Speculative(gamma, adaptive).run(pair, p, r, TokenSink.NONE);
          Outcome ahead = new Speculative(gamma, adaptive, null, true).run(pair, p, r, TokenSink.NONE);
          String where = "gamma " + gamma + (adaptive ? " adaptive" : "") + " prompt " + k;
          assertArrayEquals(plain.tokens(), ahead.tokens(), where);
          assertEquals(plain.finish(), ahead.finish(), where);
          if (!adaptive) assertArrayEquals(plain.producers(), ahead.producers(), where);
          // System 1's choice at every output position, whichever call learned it
          assertArrayEquals(plain.system1Choices(), ahead.system1Choices(), where);
        }
      }
    }
    assertEquals(0, drafter.openSequences);
    assertEquals(0, target.openSequences);
  }

  @Test
  void theNextDraftIsMadeWhileSystem2Verifies() {
    for (boolean ahead : new boolean[] {false, true}) {
      // System 1 drafts with System 2's own table: every draft passes and the bonus is always guessed
      Overlap s1 = new Overlap(new BigramModel(target, 0.0, 3));
      Overlap s2 = new Overlap(target);
      s1.other = s2;
      int[] p = prompt(7, 3);
      DecodeRequest r = new DecodeRequest(40, SamplingParams.GREEDY, 0, Set.of());
      Outcome o = new Speculative(4, false, null, ahead).run(new ModelPair(s1, s2), p, r, TokenSink.NONE);
      assertArrayEquals(new SingleModel(SingleModel.Role.SYSTEM2).run(pair, p, r, TokenSink.NONE).tokens(), o.tokens());
      // 40 tokens = 8 rounds of 5 and 8 draft calls either way; ahead, rounds 1-7 draft the next
      // round's tokens while System 2 verifies, so rounds 2-8 start without a draft call of their own
      assertEquals(8, o.system2Calls());
      assertEquals(8, s1.drafts, "draft calls");
      assertEquals(ahead ? 7 : 0, s1.draftsDuringVerify, "draft calls made while a verification was out");
    }
  }

  /** A session's bookkeeping passed on to the session it wraps. */
  private abstract static class Forwarding implements ModelSession {
    private final ModelSession inner;

    Forwarding(ModelSession inner) {
      this.inner = inner;
    }

    @Override
    public void rollback(int length) {
      inner.rollback(length);
    }

    @Override
    public int length() {
      return inner.length();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** Counts draft calls, and those made while the other model's verification is still out (answered when joined). */
  private static final class Overlap implements System1Model, System2Model {
    private final BigramModel inner;
    Overlap other;
    int drafts;
    int draftsDuringVerify;
    boolean verifying;

    Overlap(BigramModel inner) {
      this.inner = inner;
    }

    @Override
    public int vocabSize() {
      return inner.vocabSize();
    }

    @Override
    public int contextLength() {
      return inner.contextLength();
    }

    @Override
    public Scorer.Session openScoring() {
      return inner.openScoring();
    }

    @Override
    public Proposer.Session openDrafting(DraftPolicy lengths) {
      Proposer.Session s = inner.openDrafting(lengths);
      final class Counting extends Forwarding implements Proposer.Session {
        Counting() {
          super(s);
        }

        @Override
        public DraftPolicy lengths() {
          return s.lengths();
        }

        @Override
        public Draft draft(int[] tokens, int gamma, SamplingParams params, long seed, boolean withDistributions, boolean withProbabilities) {
          drafts++;
          if (other != null && other.verifying) draftsDuringVerify++;
          return s.draft(tokens, gamma, params, seed, withDistributions, withProbabilities);
        }

        /** Not a draft of the generation: the closing score of a bonus token. */
        @Override
        public int choice(int[] added) {
          return s.choice(added);
        }
      }
      return new Counting();
    }

    @Override
    public Verifier.Session openVerifying() {
      Verifier.Session s = inner.openVerifying();
      final class Late extends Forwarding implements Verifier.Session {
        Late() {
          super(s);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Verification> verify(int[] context, int[] draft, SamplingParams params,
            int topLogprobs) {
          verifying = true;
          return new java.util.concurrent.CompletableFuture<>() {
            @Override
            public Verification join() {
              verifying = false;
              complete(s.verify(context, draft, params, topLogprobs).join());
              return super.join();
            }
          };
        }
      }
      return new Late();
    }
  }

  @Test
  void aStopRuleEndsAGenerationAtTheTokenThatStopsIt() {
    int[] p = prompt(21, 3);
    for (SamplingParams sp : new SamplingParams[] {SamplingParams.GREEDY, new SamplingParams(0.9, 0, 1)}) {
      DecodeRequest plain = new DecodeRequest(40, sp, 5, Set.of());
      for (Strategy s : List.of(new SingleModel(SingleModel.Role.SYSTEM2), new Speculative(4), new Speculative(3, true))) {
        Outcome whole = s.run(pair, p, plain, TokenSink.NONE);
        int target = whole.tokens()[12];
        int at = 0;
        while (whole.tokens()[at] != target) at++;
        DecodeRequest stopping = new DecodeRequest(40, sp, 5, Set.of(), () -> id -> id == target);
        boolean[] lastSeen = {false};
        Outcome o = s.run(pair, p, stopping, new TokenSink() {
          @Override
          public void accept(int[] ids, Producer[] producers) {}

          @Override
          public void accept(int[] ids, Producer[] producers, boolean last) {
            lastSeen[0] |= last;
          }
        });
        assertEquals(Finish.STOP, o.finish(), s.name() + " " + sp);
        assertArrayEquals(Arrays.copyOf(whole.tokens(), at + 1), o.tokens(), s.name() + " " + sp + ": the token that stops is the last");
        assertTrue(lastSeen[0], "the sink heard that the generation ended");
      }
    }
  }

  @Test
  void contextLimitStopsBothTheSameWay() {
    BigramModel small = new BigramModel(VOCAB, 20, 2.0, 1);
    ModelPair p = new ModelPair(new BigramModel(small, 1.0, 2), small);
    DecodeRequest r = new DecodeRequest(100, SamplingParams.GREEDY, 0, Set.of());
    int[] prompt = prompt(3, 6);
    Outcome alone = new SingleModel(SingleModel.Role.SYSTEM2).run(p, prompt, r, TokenSink.NONE);
    Outcome spec = new Speculative(4).run(p, prompt, r, TokenSink.NONE);
    assertEquals(Finish.CONTEXT, alone.finish());
    assertArrayEquals(alone.tokens(), spec.tokens());
    assertEquals(Finish.CONTEXT, spec.finish());
    assertEquals(20 - 6, spec.tokens().length);
  }

  @Test
  void statisticsAgreeWithTheProducers() {
    Outcome o = new Speculative(4).run(pair, prompt(9, 3), new DecodeRequest(64, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    int accepted = 0;
    int corrections = 0;
    for (Producer p : o.producers()) {
      if (p == Producer.SYSTEM1_ACCEPTED) accepted++;
      if (p == Producer.SYSTEM2_CORRECTION) corrections++;
    }
    assertEquals(accepted, o.accepted());
    assertTrue(corrections > 0 && accepted > 0, "the pair should both agree and disagree");
    assertEquals(o.system2Calls(), roundsIn(o), "one System 2 call per round");
    assertEquals(64, o.scored(), "System 1's choice is known for every token");
  }

  private static int roundsIn(Outcome o) {
    int rounds = 0;
    for (Producer p : o.producers()) if (p.bySystem2()) rounds++;
    return rounds;
  }

  @Test
  void collaborationFrequencyCountsTokensThatDifferFromSystem1sGreedyChoice() {
    for (SamplingParams sp : new SamplingParams[] {SamplingParams.GREEDY, new SamplingParams(1.0, 0, 1)}) {
      int[] p = prompt(11, 2);
      Outcome o = new Speculative(3).run(pair, p, new DecodeRequest(50, sp, 7, Set.of()), TokenSink.NONE);
      // brute force: System 1's argmax after each decided prefix is its argmax after the last token
      int differing = 0;
      int last = p[p.length - 1];
      for (int t : o.tokens()) {
        if (Sampler.argmax(drafter.logitsAfter(last)) != t) differing++;
        last = t;
      }
      assertEquals(differing / 50.0, o.collaborationFrequency(), 1e-12, sp.toString());
    }
  }

  @Test
  void system2AloneLeavesCollaborationFrequencyUnmeasured() {
    Outcome o = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt(1, 2), new DecodeRequest(8, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    assertTrue(Double.isNaN(o.collaborationFrequency()));
    assertEquals(1.0, o.system2TokenShare());
    Outcome s1 = new SingleModel(SingleModel.Role.SYSTEM1).run(pair, prompt(1, 2), new DecodeRequest(8, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    assertEquals(0.0, s1.collaborationFrequency());
    assertEquals(0.0, s1.system2TokenShare());
  }

  @Test
  void cancellationStopsBeforeTheNextCallAndClosesSequences() {
    int[] seen = {0};
    TokenSink sink = new TokenSink() {
      @Override
      public void accept(int[] ids, Producer[] producers) {
        seen[0] += ids.length;
      }

      @Override
      public boolean cancelled() {
        return seen[0] >= 5;
      }
    };
    assertThrows(CancelledException.class,
        () -> new Speculative(2).run(pair, prompt(2, 2), new DecodeRequest(100, SamplingParams.GREEDY, 0, Set.of()), sink));
    assertEquals(0, drafter.openSequences);
    assertEquals(0, target.openSequences);
    assertTrue(seen[0] < 10);
  }

  @Test
  void anyEndOfTextTokenEndsTheGenerationWithoutBeingEmitted() {
    // find tokens the target emits greedily within a few steps, and call them end-of-text
    int[] p = prompt(4, 2);
    Outcome free = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, p, new DecodeRequest(10, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    for (Set<Integer> eos : List.of(Set.of(free.tokens()[3]), Set.of(free.tokens()[6], free.tokens()[3]), Set.of(VOCAB + 5, free.tokens()[6]))) {
      int firstEos = 0;
      while (!eos.contains(free.tokens()[firstEos])) firstEos++;
      for (Strategy s : List.of(new Speculative(4), new SingleModel(SingleModel.Role.SYSTEM2))) {
        Outcome stopped = s.run(pair, p, new DecodeRequest(10, SamplingParams.GREEDY, 0, eos), TokenSink.NONE);
        assertEquals(Finish.EOS, stopped.finish(), s.name() + " " + eos);
        assertArrayEquals(Arrays.copyOf(free.tokens(), firstEos), stopped.tokens(), s.name() + " " + eos);
      }
    }
  }

  @Test
  void invalidArgumentsNameTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Speculative(0)).getMessage().contains("gamma"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new DecodeRequest(0, SamplingParams.GREEDY, 0, Set.of())).getMessage().contains("max_tokens"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new Speculative(2).run(pair, new int[0], new DecodeRequest(4, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE))
        .getMessage().contains("prompt"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new DecodeRequest(4, SamplingParams.GREEDY, 0, null)).getMessage().contains("eos_ids"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new DecodeRequest(4, SamplingParams.GREEDY, 0, Set.of(3, -1))).getMessage().contains("eos_ids holds -1"));
  }
}
