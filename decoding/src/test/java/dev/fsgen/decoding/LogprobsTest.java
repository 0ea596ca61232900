package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every strategy reports each token's log-probability and alternatives under the distribution it
 * drew the token from; checked against the models' own logits, recomputed independently here.
 */
class LogprobsTest {
  private static final int VOCAB = 40;
  private static final int TOP = 5;
  private final BigramModel target = new BigramModel(VOCAB, 200, 2.0, 41);
  private final BigramModel drafter = new BigramModel(target, 1.0, 42);
  private final ModelPair pair = new ModelPair(drafter, target);

  /** Log-softmax in double, the independent reference: [vocab]. */
  private static double[] logSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float x : logits) max = Math.max(max, x);
    double sum = 0;
    for (float x : logits) sum += Math.exp(x - max);
    double norm = max + Math.log(sum);
    double[] out = new double[logits.length];
    for (int i = 0; i < out.length; i++) out[i] = logits[i] - norm;
    return out;
  }

  /** The k largest entries' indices, largest first, ties to the lowest index, by sorting. */
  private static int[] top(double[] v, int k) {
    return IntStream.range(0, v.length).boxed().filter(i -> v[i] > Double.NEGATIVE_INFINITY)
        .sorted(Comparator.<Integer>comparingDouble(i -> -v[i]).thenComparingInt(i -> i)).limit(k).mapToInt(Integer::intValue).toArray();
  }

  /** Checks every token of {@code o} against {@code reference}'s log-probabilities after its prefix. */
  private static void check(Outcome o, int[] prompt, java.util.function.BiFunction<int[], Integer, double[]> reference) {
    int[] seq = Arrays.copyOf(prompt, prompt.length + o.tokens().length);
    System.arraycopy(o.tokens(), 0, seq, prompt.length, o.tokens().length);
    assertEquals(o.tokens().length, o.logprobs().length);
    for (int i = 0; i < o.tokens().length; i++) {
      double[] want = reference.apply(seq, prompt.length + i);
      TokenLogprobs got = o.logprobs()[i];
      assertEquals(o.tokens()[i], got.id());
      assertEquals(want[got.id()], got.logprob(), 1e-4, "token " + i);
      assertArrayEquals(top(want, TOP), got.topIds(), "alternatives of token " + i);
      for (int k = 0; k < got.topIds().length; k++) assertEquals(want[got.topIds()[k]], got.topLogprobs()[k], 1e-4);
    }
  }

  @Test
  void greedyStrategiesReportSystem2sTemperatureOneScores() {
    Penalties pen = new Penalties(1.2, 0.3, 0.2, 0);
    for (SamplingParams sp : new SamplingParams[] {SamplingParams.GREEDY, SamplingParams.GREEDY.withPenalties(pen)}) {
      for (int k = 0; k < 4; k++) {
        int[] prompt = {k, 2 * k + 1};
        DecodeRequest r = new DecodeRequest(30, sp, 0, Set.of(), StopRule.NONE, TOP);
        java.util.function.BiFunction<int[], Integer, double[]> system2 = (seq, len) ->
            logSoftmax(PenaltiesTest.direct(target.logitsAfter(seq[len - 1]), seq, len, sp.penalties().withOutputStart(prompt.length)));
        for (Strategy s : new Strategy[] {new SingleModel(SingleModel.Role.SYSTEM2), new Speculative(1), new Speculative(4),
            new Speculative(8, true), new Speculative(3, false, null, true), new Oracle()}) {
          Outcome o = s.run(pair, prompt, r, TokenSink.NONE);
          check(o, prompt, system2);
        }
      }
    }
  }

  @Test
  void sampledSpeculativeReportsSystem2sSamplingDistribution() {
    SamplingParams sp = new SamplingParams(0.8, 12, 0.95, new Penalties(1.1, 0.2, 0.1, 0));
    for (int seed = 0; seed < 6; seed++) {
      int[] prompt = {seed, 3};
      DecodeRequest r = new DecodeRequest(30, sp, seed, Set.of(), StopRule.NONE, TOP);
      java.util.function.BiFunction<int[], Integer, double[]> system2 = (seq, len) -> {
        double[] p = Sampler.distribution(PenaltiesTest.direct(target.logitsAfter(seq[len - 1]), seq, len,
            sp.penalties().withOutputStart(prompt.length)), sp);
        return Arrays.stream(p).map(x -> x > 0 ? Math.log(x) : Double.NEGATIVE_INFINITY).toArray();
      };
      check(new Speculative(3).run(pair, prompt, r, TokenSink.NONE), prompt, system2);
      check(new SingleModel(SingleModel.Role.SYSTEM2).run(pair, prompt, r, TokenSink.NONE), prompt, system2);
    }
  }

  @Test
  void combinedStrategiesReportTheirCombinedScores() {
    int[] prompt = {7, 1};
    DecodeRequest r = new DecodeRequest(20, SamplingParams.GREEDY, 0, Set.of(), StopRule.NONE, TOP);
    Contrastive c = new Contrastive(Contrastive.Form.FSGEN, 0.1, 0.5);
    check(c.run(pair, prompt, r, TokenSink.NONE), prompt, (seq, len) ->
        logSoftmax(c.combine(target.logitsAfter(seq[len - 1]), drafter.logitsAfter(seq[len - 1]))));
  }

  @Test
  void logprobsAreReportedOnlyWhenAsked() {
    Outcome o = new Speculative(3).run(pair, new int[] {1}, new DecodeRequest(10, SamplingParams.GREEDY, 0, Set.of()), TokenSink.NONE);
    assertNull(o.logprobs());
    Outcome zero = new Speculative(3).run(pair, new int[] {1}, new DecodeRequest(10, SamplingParams.GREEDY, 0, Set.of(), StopRule.NONE, 0),
        TokenSink.NONE);
    assertTrue(Arrays.stream(zero.logprobs()).allMatch(l -> l.topIds().length == 0 && l.logprob() <= 0));
  }

  @Test
  void mostLikelyEqualsSortingAndSkipsImpossibleTokens() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int trial = 0; trial < 300; trial++) {
      float[] v = new float[1 + rng.nextInt(30)];
      for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : rng.nextInt(6) - 3f; // ties and zeros
      double[] d = new double[v.length];
      for (int i = 0; i < v.length; i++) d[i] = v[i];
      int k = rng.nextInt(8);
      assertArrayEquals(top(d, k), Logprobs.mostLikely(v, k), "trial " + trial);
    }
  }
}
