package dev.fsgen.decoding;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Speculative sampling must be lossless: the first two generated tokens must follow System 2's own
 * distribution exactly. A chi-square goodness-of-fit test at significance level 0.001 over 20,000
 * seeded generations compares the observed pairs with the exact probabilities p(t1) p(t2 | t1);
 * the same test must reject System 1's own samples (it can tell different distributions apart).
 */
class LosslessSamplingTest {
  private static final int VOCAB = 24;
  private static final int RUNS = 20_000;
  private static final double Z_0_999 = 3.0902; // upper 0.1% point of the standard normal

  /**
   * The penalised cases follow System 2's penalised distribution: the first token's penalised by the
   * prompt (repetition), the second's by the prompt and the first token (all three penalties), as
   * {@link PenaltiesTest#direct} reads them off the definitions.
   */
  @ParameterizedTest(name = "temperature {0}, top_k {1}, top_p {2}, gamma {3}, penalties {4} {5} {6}")
  @CsvSource({"1.0, 6, 1.0, 3, 1, 0, 0", "0.7, 0, 0.8, 2, 1, 0, 0", "1.3, 0, 1.0, 5, 1, 0, 0", "1.0, 0, 1.0, 3, 1.5, 0.8, 0.5",
      "0.8, 8, 0.95, 2, 1, 1.5, 0"})
  void firstTwoTokensFollowSystem2(double temperature, int topK, double topP, int gamma, double repetition, double presence,
      double frequency) {
    BigramModel target = new BigramModel(VOCAB, 64, 1.5, 21);
    BigramModel drafter = new BigramModel(target, 1.2, 22);
    SamplingParams sp = new SamplingParams(temperature, topK, topP, new Penalties(repetition, presence, frequency, 0));
    int last = 3;
    double[][] expected = exactPairs(target, last, sp);

    long[][] spec = new long[VOCAB][VOCAB];
    long[][] draftOnly = new long[VOCAB][VOCAB];
    ModelPair pair = new ModelPair(drafter, target);
    for (int seed = 0; seed < RUNS; seed++) {
      DecodeRequest r = new DecodeRequest(2, sp, seed, Set.of());
      int[] a = new Speculative(gamma).run(pair, new int[] {last}, r, TokenSink.NONE).tokens();
      spec[a[0]][a[1]]++;
      int[] b = new SingleModel(SingleModel.Role.SYSTEM1).run(pair, new int[] {last}, r, TokenSink.NONE).tokens();
      draftOnly[b[0]][b[1]]++;
    }
    Fit s = chiSquare(spec, expected);
    assertTrue(s.statistic < s.critical, "speculative sampling departs from System 2: chi2 " + s.statistic
        + " > " + s.critical + " (df " + s.df + ")");
    Fit d = chiSquare(draftOnly, expected);
    assertTrue(d.statistic > d.critical, "the test cannot tell System 1 from System 2: chi2 " + d.statistic);
  }

  private static double[][] exactPairs(BigramModel m, int last, SamplingParams sp) {
    Penalties p = sp.penalties().withOutputStart(1); // the prompt is the one token `last`
    double[] first = Sampler.distribution(PenaltiesTest.direct(m.logitsAfter(last), new int[] {last}, 1, p), sp);
    double[][] e = new double[VOCAB][];
    for (int a = 0; a < VOCAB; a++) {
      double[] second = Sampler.distribution(PenaltiesTest.direct(m.logitsAfter(a), new int[] {last, a}, 2, p), sp);
      e[a] = new double[VOCAB];
      for (int b = 0; b < VOCAB; b++) e[a][b] = first[a] * second[b];
    }
    return e;
  }

  private record Fit(double statistic, double critical, int df) {}

  /** Pearson's chi-square; cells expecting fewer than 5 are pooled into one, as usual. */
  private static Fit chiSquare(long[][] observed, double[][] p) {
    List<double[]> cells = new ArrayList<>(); // {observed, expected}
    double pooledObs = 0;
    double pooledExp = 0;
    for (int a = 0; a < VOCAB; a++) {
      for (int b = 0; b < VOCAB; b++) {
        double exp = p[a][b] * RUNS;
        if (exp >= 5) {
          cells.add(new double[] {observed[a][b], exp});
        } else {
          pooledObs += observed[a][b];
          pooledExp += exp;
        }
      }
    }
    if (pooledExp > 0) cells.add(new double[] {pooledObs, Math.max(pooledExp, 1e-9)});
    double chi = 0;
    for (double[] c : cells) chi += (c[0] - c[1]) * (c[0] - c[1]) / c[1];
    int df = cells.size() - 1;
    // Wilson-Hilferty approximation of the chi-square quantile
    double h = 2.0 / (9 * df);
    double critical = df * Math.pow(1 - h + Z_0_999 * Math.sqrt(h), 3);
    return new Fit(chi, critical, df);
  }
}
