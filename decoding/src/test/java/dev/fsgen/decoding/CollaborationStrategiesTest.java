package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Contrastive decoding, proxy tuning, gated handoff and the oracle, each against a baseline it must reduce to. */
class CollaborationStrategiesTest {
  private static final int VOCAB = 48;
  private final BigramModel large = new BigramModel(VOCAB, 300, 2.0, 31);
  private final BigramModel small = new BigramModel(large, 1.5, 32);
  private final ModelPair pair = new ModelPair(small, large);
  private final DecodeRequest greedy = new DecodeRequest(60, SamplingParams.GREEDY, 0, Set.of());

  private static int[] prompt(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return new int[] {r.nextInt(VOCAB), r.nextInt(VOCAB), r.nextInt(VOCAB)};
  }

  private int[] alone(SingleModel.Role role, ModelPair p, int[] prompt, DecodeRequest r) {
    return new SingleModel(role).run(p, prompt, r, TokenSink.NONE).tokens();
  }

  @Test
  void contrastiveReducesToSystem2AtItsNeutralBeta() {
    for (long k = 0; k < 5; k++) {
      int[] want = alone(SingleModel.Role.SYSTEM2, pair, prompt(k), greedy);
      assertArrayEquals(want, new Contrastive(Contrastive.Form.LI, 0.1, 0).run(pair, prompt(k), greedy, TokenSink.NONE).tokens());
      assertArrayEquals(want, new Contrastive(Contrastive.Form.FSGEN, 0.1, 1).run(pair, prompt(k), greedy, TokenSink.NONE).tokens());
    }
    // and departs from it otherwise: the amateur's preferences are subtracted
    Outcome o = new Contrastive(Contrastive.Form.LI, 0.1, 1.0).run(pair, prompt(1), greedy, TokenSink.NONE);
    assertFalse(java.util.Arrays.equals(alone(SingleModel.Role.SYSTEM2, pair, prompt(1), greedy), o.tokens()));
    assertEquals(60, o.system1Calls());
    assertEquals(60, o.system2Calls());
  }

  @Test
  void contrastiveKeepsToThePlausibleTokens() {
    float[] l = {5f, 4.9f, 0f, -3f};
    float[] s = {5f, -10f, 0f, -3f};
    float[] li = LogitCombiner.contrastiveLi(l, s, 0.1, 1.0);
    assertEquals(Float.NEGATIVE_INFINITY, li[2], "p_L(2) < 0.1 max p_L");
    assertEquals(Float.NEGATIVE_INFINITY, li[3]);
    assertEquals(1, Sampler.argmax(li), "the token the amateur dislikes wins among the plausible");
    double[] logPL = LogitCombiner.logSoftmax(l);
    double[] logPS = LogitCombiner.logSoftmax(s);
    assertEquals(logPL[0] - logPS[0], li[0], 1e-5);
    float[] fs = LogitCombiner.contrastiveFsGen(l, s, 0.1, 0.5);
    assertEquals(s[1] + 0.5f * (l[1] - s[1]), fs[1], 1e-6);
  }

  @Test
  void proxyTuningWithAnUntunedSmallModelIsTheLargeModelAlone() {
    ModelPair three = new ModelPair(small, large, small);
    for (double alpha : new double[] {0.5, 1, 2}) {
      for (long k = 0; k < 3; k++) {
        assertArrayEquals(alone(SingleModel.Role.SYSTEM2, pair, prompt(k), greedy),
            new ProxyTuned(alpha).run(three, prompt(k), greedy, TokenSink.NONE).tokens());
      }
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ProxyTuned(1).run(pair, prompt(0), greedy, TokenSink.NONE))
        .getMessage().contains("base model"));
  }

  @Test
  void proxyTuningMovesTheLargeModelByTheSmallPairsDifference() {
    BigramModel tuned = new BigramModel(small, 2.0, 33);
    float[] l = large.logitsAfter(3);
    float[] want = LogitCombiner.proxy(l, tuned.logitsAfter(3), small.logitsAfter(3), 1.0);
    Outcome o = new ProxyTuned(1.0).run(new ModelPair(tuned, large, small), new int[] {3},
        new DecodeRequest(1, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    assertEquals(Sampler.argmax(want), o.tokens()[0]);
    assertEquals(Producer.COMBINED, o.producers()[0]);
  }

  @Test
  void gatedWithARouterThatNeverFiresIsSystem1AloneAndAlwaysIsSystem2Alone() {
    for (long k = 0; k < 4; k++) {
      Outcome never = new Gated(new Router.TopProbability(0), 1).run(pair, prompt(k), greedy, TokenSink.NONE);
      assertArrayEquals(alone(SingleModel.Role.SYSTEM1, pair, prompt(k), greedy), never.tokens());
      assertEquals(0, never.system2Calls());
      Outcome always = new Gated(new Router.Entropy(0), 1).run(pair, prompt(k), greedy, TokenSink.NONE);
      assertArrayEquals(alone(SingleModel.Role.SYSTEM2, pair, prompt(k), greedy), always.tokens());
      assertEquals(1.0, always.system2TokenShare());
    }
  }

  @Test
  void theBudgetCapsSystem2sShare() {
    Outcome o = new Gated(new Router.Entropy(0), 0.25).run(pair, prompt(5), greedy, TokenSink.NONE);
    // a router that always hands off: System 2 takes exactly ⌈0.25·n⌉ of every first n tokens
    int bySystem2 = 0;
    for (int n = 1; n <= o.tokens().length; n++) {
      if (o.producers()[n - 1] == Producer.SYSTEM2) bySystem2++;
      assertEquals((int) Math.ceil(0.25 * n), bySystem2, "of the first " + n + " tokens");
    }
    assertEquals(Producer.SYSTEM2, o.producers()[0], "the first token of a short answer may be handed off");
    assertEquals(0, new Gated(new Router.Entropy(0), 0).run(pair, prompt(5), greedy, TokenSink.NONE).system2Calls(), "budget 0: never");
    // the default FS-GEN routers hand off only where System 1 is unsure
    Outcome top = new Gated(new Router.TopProbability(Router.TopProbability.DEFAULT), 1).run(pair, prompt(5), greedy, TokenSink.NONE);
    for (int i = 0; i < top.tokens().length; i++) {
      assertEquals(top.uncertainty()[i].top1() < 0.5, top.producers()[i] == Producer.SYSTEM2, "token " + i);
    }
  }

  @Test
  void theOracleIsSystem2WithSystem1ScoredAtEveryToken() {
    int[] p = prompt(7);
    Outcome o = new Oracle().run(pair, p, greedy, TokenSink.NONE);
    assertArrayEquals(alone(SingleModel.Role.SYSTEM2, pair, p, greedy), o.tokens());
    int differing = 0;
    int last = p[p.length - 1];
    for (int i = 0; i < o.tokens().length; i++) {
      assertNotNull(o.uncertainty()[i]);
      if (Sampler.argmax(small.logitsAfter(last)) != o.tokens()[i]) differing++;
      last = o.tokens()[i];
    }
    assertEquals(differing / 60.0, o.collaborationFrequency(), 1e-12);
    assertTrue(differing > 0 && differing < 60);
  }

  @Test
  void uncertaintyFeatures() {
    Uncertainty uniform = Uncertainty.of(new float[16]);
    assertEquals(Math.log(16), uniform.entropy(), 1e-9);
    assertEquals(1.0 / 16, uniform.top1(), 1e-12);
    assertEquals(0, uniform.margin(), 1e-12);
    Uncertainty sure = Uncertainty.of(new float[] {20, 0, 0, 0});
    assertTrue(sure.top1() > 0.99 && sure.margin() > 0.99 && sure.entropy() < 0.01);
    assertEquals(Uncertainty.K, Uncertainty.of(new float[100]).topK().length);
    double[] w = new double[Uncertainty.K + 1];
    w[0] = -10; // confident System 1 -> no handoff
    Router.Learned r = new Router.Learned(w, 2, 0.5);
    assertFalse(r.handOff(sure));
    assertTrue(r.handOff(uniform));
  }

  @Test
  void parametersOutOfRangeNameTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Contrastive(Contrastive.Form.LI, 0, 0.5)).getMessage().contains("alpha"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Contrastive(Contrastive.Form.LI, 0.1, -1)).getMessage().contains("beta"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ProxyTuned(Double.NaN)).getMessage().contains("alpha"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gated(new Router.Margin(0.2), 1.5)).getMessage().contains("budget"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Router.TopProbability(2)).getMessage().contains("tau"));
  }

  @Test
  void aRouterLearnedFromTheOracleBeatsGuessingOnItsOwnData() {
    java.util.List<RouterFit.Example> examples = new java.util.ArrayList<>();
    for (long k = 0; k < 20; k++) {
      Outcome o = new Oracle().run(pair, prompt(k), greedy, TokenSink.NONE);
      for (int i = 0; i < o.tokens().length; i++) {
        examples.add(new RouterFit.Example(o.uncertainty()[i], o.system1Choices()[i] != o.tokens()[i]));
      }
    }
    RouterFit.Result r = RouterFit.fit(examples, 0.5, 2000);
    double base = Math.max(r.positiveShare(), 1 - r.positiveShare());
    assertTrue(r.accuracy() > base, "accuracy " + r.accuracy() + " against always guessing the majority " + base);
    // confident System 1 is handed off less often than an unsure one
    assertTrue(r.router().probability(Uncertainty.of(new float[] {12, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
        < r.router().probability(Uncertainty.of(new float[10])));
  }
}
