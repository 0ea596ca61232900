package dev.fsgen.bench;

import dev.fsgen.proto.decoding.v1.OrchestratorServiceGrpc;
import dev.fsgen.proto.decoding.v1.SpeculativeOptions;
import dev.fsgen.proto.decoding.v1.StrategyOptions;
import dev.fsgen.runtime.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adaptive draft lengths against every fixed one, on three kinds of text where the pair agrees
 * more or less often: prose, the Bible and arithmetic. Runs through the same services as the rest
 * of the speculative benchmark; fixed and adaptive runs alternate so that drift cancels.
 */
final class AdaptiveDrafting {
  static final int MAX_GAMMA = 8;
  static final Map<String, List<String>> PROMPT_SETS = Map.of(
      "prose", SpeculativeBench.PROMPTS.subList(0, 8),
      "bible", List.of("In the beginning God created the heaven", "And the LORD spake unto Moses, saying,",
          "Blessed are the poor in spirit:", "And it came to pass in those days,", "The LORD is my shepherd;",
          "And Jesus answered and said unto them,", "Thus saith the LORD of hosts;", "Now the serpent was more subtil"),
      "arithmetic", List.of("47 - 18 = 29\n83 + 12 = 95\n18 + 13 =", "56 + 21 = 77\n90 - 45 =", "12 + 34 = 46\n71 - 9 =",
          "38 + 47 = 85\n64 - 27 = 37\n25 + 19 =", "99 - 11 = 88\n40 + 40 =", "15 + 72 = 87\n66 - 33 =",
          "81 - 56 = 25\n29 + 28 =", "73 + 14 = 87\n52 - 38 ="));
  static final List<String> ORDER = List.of("prose", "bible", "arithmetic");

  /**
   * One prompt set.
   *
   * @param fixedTokensPerSecond tokens/s of each fixed draft length, [gamma - 1]
   * @param meanDraft drafted tokens per System 2 call of the adaptive runs
   * @param ratio adaptive ÷ the best fixed length
   */
  record Row(String prompts, double[] fixedTokensPerSecond, int bestGamma, double bestFixed, double adaptive, double meanDraft,
      double ratio) {}

  /** The runs {@link #compare} times: per prompt set and repeat, every fixed length and the adaptive one half as often. */
  static long runs(int repeats) {
    long perRepeat = 0;
    for (int rep = 0; rep < repeats; rep++) {
      for (int g = 1; g <= MAX_GAMMA; g++) perRepeat += g % 2 == rep % 2 ? 2 : 1;
    }
    return ORDER.size() * perRepeat;
  }

  /** The tokens those runs generate. */
  static double tokens(int maxTokens, int repeats) {
    double all = 0;
    for (String set : ORDER) all += (double) PROMPT_SETS.get(set).size() * maxTokens;
    return all / ORDER.size() * runs(repeats);
  }

  static List<Row> compare(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub, LoopbackServices services, int maxTokens, int repeats,
      Progress progress) {
    List<Row> rows = new ArrayList<>();
    StrategyOptions adaptive = StrategyOptions.newBuilder().setSpeculative(SpeculativeOptions.newBuilder().setAdaptive(true).setGamma(MAX_GAMMA)).build();
    for (String set : ORDER) {
      List<String> prompts = PROMPT_SETS.get(set);
      List<List<SpeculativeBench.Run>> fixed = new ArrayList<>();
      for (int g = 1; g <= MAX_GAMMA; g++) fixed.add(new ArrayList<>());
      List<SpeculativeBench.Run> adapted = new ArrayList<>();
      for (int rep = 0; rep < repeats; rep++) {
        for (int g = 1; g <= MAX_GAMMA; g++) {
          // adaptive before one fixed length and after the next, so both see the same drift
          double tokens = (double) prompts.size() * maxTokens;
          if (g % 2 == rep % 2) {
            adapted.add(SpeculativeBench.run(stub, adaptive, prompts, maxTokens, services));
            progress.finished(tokens, "adaptive on " + set);
          }
          fixed.get(g - 1).add(SpeculativeBench.run(stub, SpeculativeBench.speculative(g), prompts, maxTokens, services));
          progress.finished(tokens, "adaptive on " + set);
        }
      }
      double[] perGamma = new double[MAX_GAMMA];
      int best = 1;
      for (int g = 1; g <= MAX_GAMMA; g++) {
        perGamma[g - 1] = SpeculativeBench.Run.merge(fixed.get(g - 1)).tokensPerSecond();
        if (perGamma[g - 1] > perGamma[best - 1]) best = g;
      }
      SpeculativeBench.Run a = SpeculativeBench.Run.merge(adapted);
      double meanDraft = a.system2Calls() == 0 ? 0 : (double) a.drafted() / a.system2Calls();
      Row r = new Row(set, perGamma, best, perGamma[best - 1], a.tokensPerSecond(), meanDraft, a.tokensPerSecond() / perGamma[best - 1]);
      rows.add(r);
      progress.note(String.format("adaptive on %s: %.1f tokens/s (mean draft %.1f) against %.1f at the best fixed gamma %d: %.2fx",
          set, r.adaptive(), meanDraft, r.bestFixed(), best, r.ratio()));
    }
    return rows;
  }

  static String toTable(List<Row> rows) {
    StringBuilder b = new StringBuilder(String.format("%nAdaptive draft length (up to %d) against each fixed one, tokens/s:%n", MAX_GAMMA));
    b.append(String.format("%-11s", "prompts"));
    for (int g = 1; g <= MAX_GAMMA; g++) b.append(String.format(" %7s", "g=" + g));
    b.append(String.format(" %9s %10s %9s %8s%n", "adaptive", "mean draft", "vs best", "verdict"));
    for (Row r : rows) {
      b.append(String.format("%-11s", r.prompts()));
      for (double t : r.fixedTokensPerSecond()) b.append(String.format(" %7.1f", t));
      b.append(String.format(" %9.1f %10.1f %8.2fx %8s%n", r.adaptive(), r.meanDraft(), r.ratio(), verdict(r)));
    }
    b.append(String.format("adaptive wins or ties on %d of %d prompt sets (target: at least 2)%n", winsOrTies(rows), rows.size()));
    return b.toString();
  }

  /** Within 3% of the best fixed length counts as a tie: about the run-to-run spread here. */
  static String verdict(Row r) {
    return r.ratio() >= 1.03 ? "wins" : r.ratio() >= 0.97 ? "ties" : "loses";
  }

  static int winsOrTies(List<Row> rows) {
    return (int) rows.stream().filter(r -> !verdict(r).equals("loses")).count();
  }
}
