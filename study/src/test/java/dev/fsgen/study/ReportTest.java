package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report from simulated measurements whose truths are known: CF rising with ln R, System 1's
 * top-1 probability lower where System 2 intervenes, interventions spread evenly over the output.
 * The verdicts must say what the simulation built in, and no more.
 */
class ReportTest {
  private static final long[] SIZES = {100_000, 300_000, 1_000_000, 3_000_000};
  private static final String[] NAMES = {"a", "b", "c", "d"};
  private static final int PROMPTS = 30;
  private static final int TOKENS = 20;

  @TempDir Path tmp;

  private static UnitResult unit(int s, int l, String domain, String method, double rate, SplittableRandom rng) {
    List<UnitResult.TokenRecord> records = new ArrayList<>();
    int differing = 0;
    int length = domain.equals("arithmetic") ? 3 : TOKENS;
    boolean[] correct = domain.equals("arithmetic") ? new boolean[PROMPTS] : null;
    List<String> outputs = domain.equals("arithmetic") ? new ArrayList<>() : null;
    for (int p = 0; p < PROMPTS; p++) {
      for (int i = 0; i < length; i++) {
        boolean hit = rng.nextDouble() < rate;
        if (hit) differing++;
        // System 1 less sure where System 2 intervenes: top-1 probability 0.3 ± 0.15 against 0.6 ± 0.15
        double top1 = (hit ? 0.3 : 0.6) + 0.15 * rng.nextGaussian();
        records.add(new UnitResult.TokenRecord(p, i, length, hit, 1 - top1, top1, top1 / 2, null, i % 2 == 0 ? " 4" : " the",
            method.equals("proxy") ? hit : null));
      }
      if (outputs != null) {
        correct[p] = rng.nextDouble() < 0.8;
        outputs.add(correct[p] ? " 4" : " 5");
      }
    }
    int correctCount = 0;
    if (correct != null) for (boolean c : correct) if (c) correctCount++;
    String pair = NAMES[s] + "→" + NAMES[l];
    return new UnitResult(pair, NAMES[s], NAMES[l], SIZES[s], SIZES[l], domain, method, PROMPTS, PROMPTS * length, PROMPTS * length, differing,
        0, 0, 0, 0, 0, correctCount, 0.1, records, outputs, correct);
  }

  private static SweepResult sweep(String pair, RouterSweep r, double th, String split, double share, double agreement) {
    boolean[] agreeing = new boolean[PROMPTS];
    for (int i = 0; i < PROMPTS * agreement; i++) agreeing[i] = true;
    int n = (int) Math.round(PROMPTS * agreement);
    return new SweepResult(pair, r.name(), th, PROMPTS, n, n, share, 0.1, split, agreeing, agreeing, StudyDomain.ARITHMETIC.id);
  }

  @Test
  void verdictsFollowTheIntervals() throws Exception {
    SplittableRandom rng = new SplittableRandom(1);
    List<UnitResult> units = new ArrayList<>();
    for (int s = 0; s < SIZES.length; s++) {
      for (int l = s + 1; l < SIZES.length; l++) {
        double rate = 0.1 + 0.12 * Math.log((double) SIZES[l] / SIZES[s]);
        for (String m : List.of("oracle", "contrastive", "speculative")) units.add(unit(s, l, "prose", m, rate, rng));
        for (String m : List.of("oracle", "system1-only")) units.add(unit(s, l, "arithmetic", m, 0.2, rng));
      }
    }
    String pair = "a→d";
    List<SweepResult> sweep = new ArrayList<>();
    // validation: 0.5 is the cheapest threshold with 90% agreement; on test the same threshold reaches 80%
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.3, SweepResult.VALIDATION, 0.2, 0.7));
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.5, SweepResult.VALIDATION, 0.4, 0.9));
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.9, SweepResult.VALIDATION, 0.8, 1.0));
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.3, SweepResult.TEST, 0.25, 0.9));
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.5, SweepResult.TEST, 0.45, 0.8));
    sweep.add(sweep(pair, RouterSweep.TOP1, 0.9, SweepResult.TEST, 0.85, 1.0));
    assertEquals(0.5, Report.chooseOnValidation(sweep.stream().filter(SweepResult::onValidation).toList(), pair, RouterSweep.TOP1).threshold());
    assertNull(Report.chooseOnValidation(sweep.stream().filter(SweepResult::onValidation).toList(), pair, RouterSweep.MARGIN));

    List<FamilyModels.Member> models = new ArrayList<>();
    Report.write(tmp, new Report.Setup(models, new PromptSet.Sizes(PROMPTS, 8, TOKENS, PROMPTS), 6, true, new Report.WallTime(60, 1), 2),
        new StudyRunner.Results(units, sweep));
    String md = Files.readString(tmp.resolve("README.md"));
    assertTrue(md.contains("- oracle, prose: CF rises with the ratio"), md);
    // CF depends on the ratio alone here: no claim that the sizes matter beside it
    assertTrue(md.contains("whether the sizes matter beside their ratio the data cannot tell"), md);
    assertTrue(!md.contains("the ratio alone does not carry CF"), md);
    assertTrue(md.contains("interventions fall where System 1 is uncertain, as FS-GEN found"), md);
    // even spread over the output: no claim about early interventions
    assertTrue(md.contains("- prose: the oracle's intervention rate in the first tenth") && md.contains("so the data cannot tell whether interventions concentrate early"), md);
    // the validation choice (0.5) is reported with its test figures (45% System 2 tokens)
    assertTrue(md.contains("| top-1 probability | 0.5 | 40.0% | 90.0% | 45.0% |"), md);
    // speculative decoding is not fitted; no proxy was measured
    assertTrue(!md.contains("| speculative | prose | 6 |"), md);
    assertTrue(md.contains("% ["), "intervals in the tables");
    for (String f : List.of("cf-vs-ratio-prose.png", "positions-oracle.png", "uncertainty-auroc.png", "tradeoff-accuracy-a_d.png")) {
      byte[] head = new byte[4];
      System.arraycopy(Files.readAllBytes(tmp.resolve(f)), 0, head, 0, 4);
      assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, f);
    }
    List<String> fits = Files.readAllLines(tmp.resolve("fits.csv"));
    assertTrue(fits.get(0).contains("residual_dof"));
    assertTrue(fits.stream().anyMatch(l -> l.startsWith("oracle,prose,6,power_paper,")), String.join("\n", fits));
  }

  /** CF that grows with the size of S at a fixed ratio: the verdict says the ratio alone does not carry it. */
  @Test
  void aSizeEffectIsReportedWhereItsIntervalExcludesZero() {
    SplittableRandom rng = new SplittableRandom(2);
    List<UnitResult> units = new ArrayList<>();
    for (int s = 0; s < SIZES.length; s++) {
      for (int l = s + 1; l < SIZES.length; l++) {
        double rate = 0.1 + 0.08 * Math.log((double) SIZES[l] / SIZES[s]) + 0.08 * Math.log((double) SIZES[s] / SIZES[0]);
        units.add(unit(s, l, "prose", "oracle", rate, rng));
      }
    }
    Analysis.FitRow row = Analysis.fits(units).get(0);
    String reading = Report.fitReading("oracle", row);
    assertTrue(reading.contains("a larger pair collaborates more") && reading.contains("the ratio alone does not carry CF"), reading);
    assertTrue(row.sizeEffect().low() > 0, row.sizeEffect().toString());
  }
}
