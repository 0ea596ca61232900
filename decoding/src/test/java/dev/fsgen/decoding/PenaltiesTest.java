package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Repetition, presence and frequency penalties: the counts equal a direct reading of the formulas,
 * each strategy applies them where its tokens are chosen (speculative greedy still equals System 2
 * greedy, token for token, under every penalty), and they change the output.
 */
class PenaltiesTest {
  private static final int VOCAB = 48;
  private final BigramModel target = new BigramModel(VOCAB, 200, 2.0, 31);
  private final BigramModel drafter = new BigramModel(target, 1.0, 32);
  private final ModelPair pair = new ModelPair(drafter, target);

  static final Penalties[] SETTINGS = {
      new Penalties(1.3, 0, 0, 0), new Penalties(1, 0.8, 0, 0), new Penalties(1, 0, 0.6, 0), new Penalties(1.2, 0.5, 0.4, 0),
      new Penalties(0.8, -0.5, 0, 0)};

  /** The penalised logits read straight off the definitions, counting over the whole sequence each time. */
  static float[] direct(float[] logits, int[] sequence, int length, Penalties p) {
    float[] out = logits.clone();
    for (int id = 0; id < out.length; id++) {
      boolean seen = false;
      int generated = 0;
      for (int i = 0; i < length; i++) {
        if (sequence[i] != id) continue;
        seen = true;
        if (i >= p.outputStart()) generated++;
      }
      double x = out[id];
      if (seen) x = x > 0 ? x / p.repetition() : x * p.repetition();
      x -= p.frequency() * generated + (generated > 0 ? p.presence() : 0);
      out[id] = (float) x;
    }
    return out;
  }

  @Test
  void countsGrownTokenByTokenEqualTheDefinitions() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      Penalties p = SETTINGS[trial % SETTINGS.length].withOutputStart(rng.nextInt(6));
      SamplingParams sp = new SamplingParams(1, 0, 1, p);
      int n = 1 + rng.nextInt(30);
      int[] seq = new int[n];
      for (int i = 0; i < n; i++) seq[i] = rng.nextInt(VOCAB / 4); // repeats are likely
      int start = rng.nextInt(n);
      TokenCounts c = TokenCounts.of(sp, seq, start);
      for (int len = start; len <= n; len++) {
        float[] logits = target.logitsAfter(rng.nextInt(VOCAB));
        assertArrayEquals(direct(logits, seq, len, p), c.apply(logits), 1e-5f, "trial " + trial + " length " + len);
        if (len < n) c.add(seq[len]);
      }
    }
    assertEquals(null, TokenCounts.of(SamplingParams.GREEDY, new int[] {1, 2}, 2), "no penalties, nothing counted");
  }

  @Test
  void speculativeGreedyEqualsSystem2GreedyUnderEveryPenalty() {
    for (Penalties p : SETTINGS) {
      SamplingParams sp = SamplingParams.GREEDY.withPenalties(p);
      boolean changed = false;
      for (int k = 0; k < 8; k++) {
        int[] prompt = {k, (3 * k + 1) % VOCAB, (5 * k + 2) % VOCAB};
        DecodeRequest r = new DecodeRequest(40, sp, 0, Set.of());
        int[] alone = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt, r, TokenSink.NONE).tokens();
        for (Speculative s : new Speculative[] {new Speculative(1), new Speculative(4), new Speculative(8, true),
            new Speculative(3, false, null, true)}) {
          assertArrayEquals(alone, s.run(pair, prompt, r, TokenSink.NONE).tokens(), p + " " + s.name() + " prompt " + k);
        }
        int[] plain = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt, new DecodeRequest(40, SamplingParams.GREEDY, 0, Set.of()),
            TokenSink.NONE).tokens();
        changed |= !Arrays.equals(plain, alone);
      }
      assertTrue(changed, p + " never changed System 2's greedy output");
    }
  }

  @Test
  void systemTwoAloneFollowsTheDirectPenalisedArgmax() {
    Penalties p = new Penalties(1.5, 0.7, 0.3, 0);
    int[] prompt = {4, 9, 4};
    int[] out = new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt,
        new DecodeRequest(30, SamplingParams.GREEDY.withPenalties(p), 0, Set.of()), TokenSink.NONE).tokens();
    int[] seq = Arrays.copyOf(prompt, prompt.length + out.length);
    System.arraycopy(out, 0, seq, prompt.length, out.length);
    for (int i = 0; i < out.length; i++) {
      int len = prompt.length + i;
      float[] l = direct(target.logitsAfter(seq[len - 1]), seq, len, p.withOutputStart(prompt.length));
      assertEquals(Sampler.argmax(l), out[i], "token " + i);
    }
  }

  @Test
  void gatedHandoffsTakeEachModelsPenalisedChoice() {
    SamplingParams sp = SamplingParams.GREEDY.withPenalties(new Penalties(1.2, 0.5, 0.4, 0));
    for (int k = 0; k < 5; k++) {
      int[] prompt = {k, k + 7};
      DecodeRequest r = new DecodeRequest(30, sp, 0, Set.of());
      assertArrayEquals(new SingleModel(SingleModel.Role.SYSTEM1).run(pair, prompt, r, TokenSink.NONE).tokens(),
          new Gated(new Router.TopProbability(0), 1).run(pair, prompt, r, TokenSink.NONE).tokens(), "never hands off");
      assertArrayEquals(new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt, r, TokenSink.NONE).tokens(),
          new Gated(new Router.Entropy(0), 1).run(pair, prompt, r, TokenSink.NONE).tokens(), "always hands off");
      assertArrayEquals(new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt, r, TokenSink.NONE).tokens(),
          new Oracle().run(pair, prompt, r, TokenSink.NONE).tokens(), "the oracle is System 2");
    }
  }

  @Test
  void outOfRangePenaltiesAreRefusedNamingTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Penalties(0, 0, 0, 0)).getMessage().startsWith("repetition"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Penalties(1, 2.5, 0, 0)).getMessage().startsWith("presence"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Penalties(1, 0, Double.NaN, 0)).getMessage().startsWith("frequency"));
    assertFalse(Penalties.NONE.withOutputStart(3).equals(Penalties.NONE));
    assertTrue(Penalties.NONE.withOutputStart(3).none());
  }
}
