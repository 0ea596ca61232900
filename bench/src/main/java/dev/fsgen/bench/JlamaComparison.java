package dev.fsgen.bench;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.bench.reference.JlamaReference;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Jlama, an independent Java Llama implementation, generating with the same System 2 checkpoint
 * alone: greedy, the same prompts (as token ids) and the same number of tokens as fsgen's System 2
 * in this process, timed the same way (prompt pass included, after a warm-up). Jlama needs Java
 * 21+ and runs in its own JVM; where none is installed the comparison is skipped with the reason.
 *
 * <p>Both are asked for the same greedy tokens, so the comparison also says on how many prompts
 * the two implementations produced the same text.
 *
 * @param skipped why Jlama did not run, or null
 * @param fsgenTokensPerSecond fsgen's System 2 alone in this process on the same generations
 * @param samePrompts prompts on which Jlama's greedy tokens equal fsgen's
 */
public record JlamaComparison(String skipped, int prompts, int maxTokens, double jlamaTokensPerSecond,
    double fsgenTokensPerSecond, int samePrompts) {

  public static JlamaComparison skipped(String why) {
    return new JlamaComparison(why, 0, 0, Double.NaN, Double.NaN, 0);
  }

  public boolean ran() {
    return skipped == null;
  }

  public static JlamaComparison measure(Path system2, List<String> texts, int maxTokens, Consumer<String> progress) throws IOException {
    return measure(system2, texts, maxTokens, Progress.sink(progress));
  }

  /** The comparison, its progress counted in its two steps (Jlama's generations, then fsgen's) on a line {@code sink} starts. */
  public static JlamaComparison measure(Path system2, List<String> texts, int maxTokens, Progress.Sink sink) throws IOException {
    try (Progress progress = sink.start("jlama", "step", 2)) {
      return measure(system2, texts, maxTokens, progress);
    }
  }

  private static JlamaComparison measure(Path system2, List<String> texts, int maxTokens, Progress progress) throws IOException {
    var found = JlamaReference.find();
    if (found.isEmpty()) return skipped(JlamaReference.unavailableReason());
    List<int[]> prompts = new ArrayList<>();
    try (TextTokenizer t = TextTokenizer.load(system2)) {
      for (String text : texts) prompts.add(t.encode(text));
    }
    progress.note("Jlama (" + found.get().java() + ") on " + system2 + ", " + prompts.size() + " prompts x " + maxTokens + " tokens");
    List<JlamaReference.Result> theirs = found.get().run(system2, prompts, maxTokens, true);
    double jlamaSeconds = 0;
    for (JlamaReference.Result r : theirs) jlamaSeconds += r.prefillSeconds() + r.decodeSeconds();
    progress.finished(1, "Jlama");

    progress.note("fsgen's System 2 alone on the same generations (fp32 weights, as Jlama's)");
    // the checkpoint's exact values, as Jlama computes with: the tokens are compared one for one
    try (LlamaModel m = LlamaModel.load(system2, dev.fsgen.runtime.model.WeightFormat.FP32)) {
      LocalLanguageModel port = new LocalLanguageModel(m);
      ModelPair pair = new ModelPair(port, port);
      SingleModel alone = new SingleModel(SingleModel.Role.SYSTEM2);
      DecodeRequest request = new DecodeRequest(maxTokens, SamplingParams.GREEDY, 0, Set.of());
      for (int round = 0; round < 2; round++) { // the same warm-up Jlama had: every prompt once, untimed
        for (int[] p : prompts) alone.run(pair, p, request, TokenSink.NONE);
      }
      int same = 0;
      long t0 = System.nanoTime();
      List<int[]> ours = new ArrayList<>();
      for (int[] p : prompts) ours.add(alone.run(pair, p, request, TokenSink.NONE).tokens());
      double fsgenSeconds = (System.nanoTime() - t0) / 1e9;
      for (int i = 0; i < prompts.size(); i++) if (Arrays.equals(ours.get(i), theirs.get(i).greedy())) same++;
      progress.finished(1, "fsgen");
      int tokens = prompts.size() * maxTokens;
      return new JlamaComparison(null, prompts.size(), maxTokens, tokens / jlamaSeconds, tokens / fsgenSeconds, same);
    }
  }

  /** fsgen's figure over Jlama's (NaN when Jlama did not run). */
  public double ratio(double fsgenTokensPerSecond) {
    return ran() ? fsgenTokensPerSecond / jlamaTokensPerSecond : Double.NaN;
  }
}
