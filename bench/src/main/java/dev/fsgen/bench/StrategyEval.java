package dev.fsgen.bench;

import dev.fsgen.decoding.Contrastive;
import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.Gated;
import dev.fsgen.decoding.LogitCombiner;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.Router;
import dev.fsgen.decoding.Sampler;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.Speculative;
import dev.fsgen.decoding.Strategy;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The collaboration strategies' quality, in process: proxy tuning as perplexity on held-out KJV
 * text (large base, small tuned, the large base proxy-tuned by the small pair, and the large model
 * tuned itself as the oracle), and every strategy's exact-match accuracy on the arithmetic task with
 * System 2's share of the tokens.
 */
public final class StrategyEval {
  private static final int SHOTS = 4;
  private static final int ANSWER_TOKENS = 6; // " 198" is four tokens (every digit its own), then the newline

  private StrategyEval() {}

  public record PerplexityRow(String model, double kjvPerplexity) {}

  public record AccuracyRow(String strategy, double accuracy, double system2Share,
      double collaborationFrequency, int problems) {}

  /** Perplexity on KJV validation text of the four models of proxy tuning. */
  public static List<PerplexityRow> proxyPerplexity(Path largeBase, Path smallTuned, Path smallBase, Path largeTuned,
      DataLayout data, int windows, int seqLen, double alpha, Consumer<String> progress) throws IOException {
    try (TextTokenizer tokenizer = TextTokenizer.load(largeBase);
         LlamaModel lb = LlamaModel.load(largeBase);
         LlamaModel st = LlamaModel.load(smallTuned);
         LlamaModel sb = LlamaModel.load(smallBase);
         LlamaModel lt = LlamaModel.load(largeTuned)) {
      int[] text = TokenizedData.load(data, tokenizer, Domain.KJV, Split.VAL);
      int n = Math.min(windows, (text.length - 1) / (seqLen + 1));
      if (n < 1) throw new IllegalArgumentException("KJV validation text is shorter than one window of " + seqLen);
      int stride = (text.length - seqLen - 1) / Math.max(1, n - 1);
      double[] nll = new double[4]; // large base, small tuned, proxy, large tuned
      long count = 0;
      for (int w = 0; w < n; w++) {
        int start = w * stride;
        int[] in = java.util.Arrays.copyOfRange(text, start, start + seqLen);
        float[][] a = logits(lb, in); // [seqLen][vocab]
        float[][] b = logits(st, in);
        float[][] c = logits(sb, in);
        float[][] d = logits(lt, in);
        for (int i = 0; i < seqLen; i++) {
          int target = text[start + i + 1];
          nll[0] -= logProb(a[i], target);
          nll[1] -= logProb(b[i], target);
          nll[2] -= logProb(LogitCombiner.proxy(a[i], b[i], c[i], alpha), target);
          nll[3] -= logProb(d[i], target);
          count++;
        }
        if ((w + 1) % 8 == 0) progress.accept("proxy tuning: window " + (w + 1) + "/" + n);
      }
      String[] names = {"large base (" + name(largeBase) + ")", "small tuned (" + name(smallTuned) + ")",
          "large base proxy-tuned by " + name(smallTuned) + " − " + name(smallBase) + " (α = " + alpha + ")",
          "large tuned (" + name(largeTuned) + ", the oracle)"};
      List<PerplexityRow> rows = new ArrayList<>();
      for (int i = 0; i < 4; i++) rows.add(new PerplexityRow(names[i], Math.exp(nll[i] / count)));
      return rows;
    }
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private static float[][] logits(LlamaModel m, int[] tokens) {
    try (KvCache cache = m.newCache(1)) {
      return m.forward(tokens, cache);
    }
  }

  private static double logProb(float[] logits, int target) {
    return logits[target] - Sampler.logSumExp(logits);
  }

  /** The strategies compared on arithmetic, with their default parameters. */
  public static List<Strategy> arithmeticStrategies() {
    return List.of(new SingleModel(SingleModel.Role.SYSTEM1), new SingleModel(SingleModel.Role.SYSTEM2), new Speculative(4),
        new Contrastive(Contrastive.Form.LI, Contrastive.DEFAULT_ALPHA, 0.5),
        new Contrastive(Contrastive.Form.FSGEN, Contrastive.DEFAULT_ALPHA, 0.5),
        new Gated(new Router.TopProbability(Router.TopProbability.DEFAULT), 1.0),
        new Gated(new Router.Margin(Router.Margin.DEFAULT), 1.0),
        new Gated(new Router.TopProbability(Router.TopProbability.DEFAULT), 0.3),
        new Gated(new Router.Entropy(1.0), 0.3));
  }

  /** Exact-match accuracy of each strategy on arithmetic test problems, greedy, few-shot. */
  public static List<AccuracyRow> arithmetic(Path small, Path large, DataLayout data, int problems, List<Strategy> strategies,
      Consumer<String> progress) throws IOException {
    try (TextTokenizer tokenizer = TextTokenizer.load(large);
         LlamaModel s = LlamaModel.load(small);
         LlamaModel l = LlamaModel.load(large)) {
      ModelPair pair = new ModelPair(new LocalLanguageModel(s), new LocalLanguageModel(l));
      String context = data.arithmeticShots(SHOTS);
      List<ArithmeticProblem> test = data.readProblems(Split.TEST);
      int n = Math.min(problems, test.size());
      // the answer ends at its newline: stopping there makes the System 2 token share a share of the answer's tokens
      DecodeRequest request = new DecodeRequest(ANSWER_TOKENS, SamplingParams.GREEDY, 0,
          Set.of(ArithmeticProblem.answerEnd(tokenizer)));
      List<AccuracyRow> rows = new ArrayList<>();
      for (Strategy strategy : strategies) {
        int correct = 0, tokens = 0;
        double bySystem2 = 0, differing = 0;
        for (int i = 0; i < n; i++) {
          ArithmeticProblem p = test.get(i);
          Outcome o = strategy.run(pair, tokenizer.encode(context + p.prompt()), request, TokenSink.NONE);
          if (p.isExactMatch(tokenizer.decode(o.tokens(), true))) correct++;
          tokens += o.tokens().length;
          bySystem2 += o.system2TokenShare() * o.tokens().length;
          differing += Double.isNaN(o.collaborationFrequency()) ? Double.NaN : o.collaborationFrequency() * o.tokens().length;
        }
        rows.add(new AccuracyRow(strategy.name(), (double) correct / n, bySystem2 / tokens, differing / tokens, n));
        progress.accept(String.format(Locale.ROOT, "arithmetic: %s %.1f%%", strategy.name(), 100.0 * correct / n));
      }
      return rows;
    }
  }

  /** What proxy tuning did to the log-perplexity gap between the large base model and the large tuned one. */
  static String gapClosed(double base, double proxyTuned, double oracle) {
    double share = (Math.log(base) - Math.log(proxyTuned)) / (Math.log(base) - Math.log(oracle));
    // a base already near the tuned model (the text in its own training) can be pushed away by the small pair's offset
    return share >= 0
        ? String.format(Locale.ROOT, "%nThe proxy-tuned large model closes %.0f%% of the gap between the large base model and the"
            + " large model tuned itself (in log-perplexity).%n%n", 100 * share)
        : String.format(Locale.ROOT, "%nThe proxy-tuned large model is further from the large model tuned itself than the large base"
            + " model is: proxy tuning widens the gap by %.0f%% (in log-perplexity).%n%n", -100 * share);
  }

  public static String markdown(List<PerplexityRow> proxy, List<AccuracyRow> arithmetic, String pair) {
    StringBuilder b = new StringBuilder("# Collaboration strategies: quality\n\nWritten by `./fsgen eval strategies --table-out"
        + " docs/strategies.md`; every figure below comes from that command.\n\n");
    if (proxy != null) {
      b.append("### Proxy tuning: perplexity on held-out King James Bible text\n\n| model | KJV val perplexity |\n|---|---:|\n");
      for (PerplexityRow r : proxy) b.append(String.format(Locale.ROOT, "| %s | %.1f |%n", r.model(), r.kjvPerplexity()));
      double base = proxy.get(0).kjvPerplexity();
      double oracle = proxy.get(3).kjvPerplexity();
      double tuned = proxy.get(2).kjvPerplexity();
      b.append(gapClosed(base, tuned, oracle));
    }
    b.append("### Arithmetic: exact match, greedy, 4 solved problems as context (" + pair + ")\n\n");
    b.append("| strategy | exact match | System 2 token share | collaboration frequency |\n|---|---:|---:|---:|\n");
    for (AccuracyRow r : arithmetic) {
      b.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.1f%% | %s |%n", r.strategy(), 100 * r.accuracy(), 100 * r.system2Share(),
          Double.isNaN(r.collaborationFrequency()) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * r.collaborationFrequency())));
    }
    b.append(gatedTarget(arithmetic));
    return b.toString();
  }

  /** The gated-handoff target, read off the rows: ≥ 90% of System 2's accuracy with System 2 producing ≤ 30% of the tokens. */
  static String gatedTarget(List<AccuracyRow> rows) {
    AccuracyRow alone1 = rows.stream().filter(r -> r.strategy().equals("system1-only")).findFirst().orElse(null);
    AccuracyRow alone2 = rows.stream().filter(r -> r.strategy().equals("system2-only")).findFirst().orElse(null);
    if (alone1 == null || alone2 == null || alone2.accuracy() == 0) return "";
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%nTarget for gated handoff: at least 90%% of System 2's accuracy"
        + " (here %.1f%%) with System 2 producing at most 30%% of the tokens. System 1 alone reaches %.0f%% of System 2's accuracy on this pair.%n%n",
        100 * 0.9 * alone2.accuracy(), 100 * alone1.accuracy() / alone2.accuracy()));
    for (AccuracyRow r : rows) {
      if (!r.strategy().startsWith("gated")) continue;
      boolean met = r.accuracy() >= 0.9 * alone2.accuracy() - 1e-9 && r.system2Share() <= 0.3 + 1e-9; // at the bounds counts as met
      b.append(String.format(Locale.ROOT, "- %s: %.0f%% of System 2's accuracy, System 2 share %.1f%%: %s.%n", r.strategy(),
          100 * r.accuracy() / alone2.accuracy(), 100 * r.system2Share(), met ? "met" : "not met"));
    }
    return b.toString();
  }
}
