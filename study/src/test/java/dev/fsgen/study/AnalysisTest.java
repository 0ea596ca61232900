package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnalysisTest {
  /** A unit whose outputs are given as strings of '1' (intervened) and '0' (matched), one per prompt. */
  private static UnitResult unit(String pair, long small, long large, String method, String... outputs) {
    List<UnitResult.TokenRecord> records = new ArrayList<>();
    int differing = 0;
    int tokens = 0;
    for (int p = 0; p < outputs.length; p++) {
      String o = outputs[p];
      for (int i = 0; i < o.length(); i++) {
        boolean hit = o.charAt(i) == '1';
        if (hit) differing++;
        tokens++;
        records.add(new UnitResult.TokenRecord(p, i, o.length(), hit, Double.NaN, Double.NaN, Double.NaN, null, "x", null));
      }
    }
    return new UnitResult(pair, "s", "l", small, large, "prose", method, outputs.length, tokens, tokens, differing, 0, 0, 0, 0, 0, 0, 0,
        records, null, null);
  }

  /** FS-GEN's right-closed tenths of index / length: checked by hand for outputs of 10, 20 and 7 tokens. */
  @Test
  void binsAreFsGensRightClosedTenths() {
    // length 10: 0/10 and 1/10 fall in [0, 0.1]; 2/10 in (0.1, 0.2]; 9/10 in (0.8, 0.9]
    assertArrayEquals(new int[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, binsOf(10));
    // length 20: 2/20 = 0.1 is in the first tenth, 3/20 = 0.15 in the second
    assertEquals(0, Analysis.bin(2, 20));
    assertEquals(1, Analysis.bin(3, 20));
    assertEquals(9, Analysis.bin(19, 20));
    // length 7: 0, 1/7 = 0.143, 2/7 = 0.286, 3/7 = 0.429, 4/7 = 0.571, 5/7 = 0.714, 6/7 = 0.857
    assertArrayEquals(new int[] {0, 1, 2, 4, 5, 7, 8}, binsOf(7));
    assertThrows(IllegalArgumentException.class, () -> Analysis.bin(7, 7));
  }

  private static int[] binsOf(int length) {
    int[] out = new int[length];
    for (int i = 0; i < length; i++) out[i] = Analysis.bin(i, length);
    return out;
  }

  /**
   * Two outputs of 10 tokens. The first intervenes at positions 0 and 5 (tenths 0 and 4): half of
   * its interventions in each. The second at 2, 3 and 9 (tenths 1, 2 and 8): a third in each. Per
   * output, averaged: 0.25 in tenths 0 and 4, 1/6 in 1, 2 and 8. Pooled over the pair: 1/5 each.
   */
  @Test
  void sharesPerOutputAndPerPairMatchAHandCount() {
    UnitResult u = unit("a→b", 1, 4, "oracle", "1000010000", "0011000001");
    Analysis.Positions p = Analysis.positions("oracle", "prose", List.of(u));
    double sixth = 1.0 / 6;
    assertArrayEquals(new double[] {0.25, sixth, sixth, 0, 0.25, 0, 0, 0, sixth, 0}, p.shareByOutput(), 1e-12);
    assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0, 0.2, 0, 0, 0, 0.2, 0}, p.shareByPair(), 1e-12);
    // rates: tenth 0 holds positions 0 and 1 of both outputs (4 tokens, 1 intervention)
    assertEquals(4, p.tokens()[0]);
    assertEquals(0.25, p.rate(0), 1e-12);
    double sum = 0;
    for (double v : p.shareByOutput()) sum += v;
    assertEquals(1.0, sum, 1e-12);
    // the share's interval resamples the two prompts: tenth 0 is 0.5 when only the first is drawn, 0 when only
    // the second is (each a quarter of the resamples), so its 2.5th and 97.5th percentiles are 0 and 0.5
    for (int b = 0; b < Analysis.BINS; b++) assertEquals(p.shareByOutput()[b], p.shareIntervals()[b].estimate(), 1e-12);
    assertEquals(0.0, p.shareIntervals()[0].low(), 1e-12);
    assertEquals(0.5, p.shareIntervals()[0].high(), 1e-12);
    assertEquals(0.0, p.shareIntervals()[3].high(), 1e-12);
  }

  /** An output without interventions has no share to give; it counts in the rates only. */
  @Test
  void outputsWithoutInterventionsAreLeftOutOfTheShares() {
    UnitResult u = unit("a→b", 1, 4, "oracle", "1000000000", "0000000000");
    Analysis.Positions p = Analysis.positions("oracle", "prose", List.of(u));
    assertEquals(1.0, p.shareByOutput()[0], 1e-12);
    assertEquals(20, java.util.Arrays.stream(p.tokens()).sum());
  }

  /**
   * Interventions only in the first tenth, over 30 prompts: the excess of the first tenth is
   * certain. The same rate in every tenth: the interval straddles 0, so no verdict.
   */
  @Test
  void earlyExcessIsCertainOnlyWhereTheDataSaySo() {
    String[] early = new String[30];
    String[] flat = new String[30];
    SplittableRandom rng = new SplittableRandom(4);
    for (int i = 0; i < 30; i++) {
      early[i] = "1000000000";
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < 10; k++) b.append(rng.nextDouble() < 0.3 ? '1' : '0');
      flat[i] = b.toString();
    }
    Bootstrap.Interval e = Analysis.positions("oracle", "prose", List.of(unit("a→b", 1, 4, "oracle", early))).earlyExcess();
    assertTrue(e.low() > 0.1, e.toString());
    Bootstrap.Interval f = Analysis.positions("oracle", "prose", List.of(unit("a→b", 1, 4, "oracle", flat))).earlyExcess();
    assertTrue(f.low() < 0 && f.high() > 0, f.toString());
  }

  @Test
  void proxyIsCountedAgainstTheBaseModelWhereMeasured() {
    List<UnitResult.TokenRecord> records = List.of(
        new UnitResult.TokenRecord(0, 0, 3, true, Double.NaN, Double.NaN, Double.NaN, null, "a", false),
        new UnitResult.TokenRecord(0, 1, 3, false, Double.NaN, Double.NaN, Double.NaN, null, "b", true),
        new UnitResult.TokenRecord(0, 2, 3, false, Double.NaN, Double.NaN, Double.NaN, null, "c", true),
        new UnitResult.TokenRecord(1, 0, 1, true, Double.NaN, Double.NaN, Double.NaN, null, "d", null));
    UnitResult u = new UnitResult("a→b", "s", "l", 1, 4, "prose", "proxy", 2, 4, 4, 2, 0, 0, 0, 0, 4, 0, 0, records, null, null);
    assertEquals(0.5, u.collaborationFrequency(), 1e-12); // against the tuned model
    assertEquals(2.0 / 3, Analysis.proxyBaseCf(u), 1e-12); // against the base model, on the 3 tokens it scored
    assertEquals(2.0 / 3, Analysis.fittedCf(u), 1e-12);
    UnitResult old = unit("a→b", 1, 4, "proxy", "10");
    assertTrue(Double.isNaN(Analysis.proxyBaseCf(old)));
    assertNull(Intervals.proxyBaseCf(old));
  }

  /** Pairs share their prompts: the pooled interval resamples each prompt once for all pairs. */
  @Test
  void intervalsPoolPairsByPrompt() {
    String[] outputs = new String[20];
    for (int i = 0; i < 20; i++) outputs[i] = i % 2 == 0 ? "1111" : "0000";
    UnitResult a = unit("a→b", 1, 4, "oracle", outputs);
    UnitResult b = unit("a→c", 1, 8, "oracle", outputs);
    Bootstrap.Interval one = Intervals.cf(a);
    Bootstrap.Interval both = Intervals.tokenRatio(List.of(a, b), r -> true, UnitResult.TokenRecord::intervened);
    assertEquals(0.5, one.estimate(), 1e-12);
    // the second pair repeats the first prompt for prompt: pooling adds no information, so the interval is the same
    assertEquals(one.low(), both.low(), 1e-12);
    assertEquals(one.high(), both.high(), 1e-12);
  }

  @Test
  void tokenTypes() {
    assertEquals(TokenType.DIGITS, TokenType.of(" 42"));
    assertEquals(TokenType.OPERATOR, TokenType.of(" +"));
    assertEquals(TokenType.OPERATOR, TokenType.of("="));
    assertEquals(TokenType.WORD, TokenType.of(" Lord"));
    assertEquals(TokenType.WORD, TokenType.of("don't"));
    assertEquals(TokenType.PUNCTUATION, TokenType.of(","));
    assertEquals(TokenType.PUNCTUATION, TokenType.of(" ."));
    assertEquals(TokenType.SPACE, TokenType.of("\n"));
    assertEquals(TokenType.SPACE, TokenType.of(" "));
  }
}
