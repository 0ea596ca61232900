package dev.fsgen.bench;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.SingleModel;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.runtime.model.GgufExport;
import dev.fsgen.runtime.model.GgufWriter;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.bench.reference.LlamaCpp;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * llama.cpp side by side with fsgen on the same checkpoints. System 1 and System 2 are converted to
 * GGUF ({@link GgufExport}) and measured with llama.cpp's own native tools (built by
 * {@code scripts/build-llama-cpp.sh}; where they are missing the comparison is skipped with the
 * reason):
 *
 * <ul>
 *   <li>{@code llama-bench}: decode tokens/s ({@code tg}, tokens generated one at a time from an
 *       empty context) and prefill tokens/s ({@code pp}) of System 2 in F16 and F32 and of System 1
 *       in F16;
 *   <li>{@code llama-speculative-simple}: System 2 (F16) checking greedy drafts of a fixed length
 *       from System 1 (F16) on a few prompts, tokens/s after the prompt and the acceptance;
 *   <li>{@code llama-simple} and {@code llama-tokenize}: on how many prompts llama.cpp tokenizes the
 *       prompt as fsgen does, and continues it greedily with the same text as fsgen's System 2 (F32
 *       computes as fsgen does; F16 rounds activations to fp16 inside its products, so it may part
 *       from fsgen where two tokens are nearly tied).
 * </ul>
 *
 * Beside them, fsgen's System 2 alone in this process, greedy, {@code decodeTokens} per prompt
 * (prompt pass included, after a warm-up), as {@link JlamaComparison} times it, with the weight
 * format the process is configured for ({@link WeightFormat#configured()}). The greedy comparison
 * always loads fsgen's System 2 in fp32, the checkpoint's own values, which the F32 file holds.
 *
 * @param skipped why llama.cpp did not run, or null
 * @param fsgenWeights how fsgen's timed System 2 held its weights (fp32 or bf16)
 * @param release the llama.cpp release the tools were built from
 * @param preTokenizer {@code tokenizer.ggml.pre} written, with "(not exact)" where it may split differently
 * @param sameTokenization prompts whose llama.cpp token ids equal fsgen's
 * @param sameGreedyF32 prompts whose llama.cpp greedy continuation (F32) has fsgen's text
 * @param differences the first differing characters, for each prompt that differed
 */
public record LlamaCppComparison(String skipped, String release, int threads, int decodeTokens, int prefillTokens,
    Speed system2F16, Speed system2F32, Speed system1F16, SpeculativeFigures speculative, double fsgenSystem2TokensPerSecond,
    String fsgenWeights, String preTokenizer, int greedyPrompts, int greedyTokens, int sameTokenization, int sameGreedyF32, int sameGreedyF16,
    List<String> differences) {

  /** {@code llama-bench} figures of one model file: mean tokens/s and standard deviation over the repetitions. */
  public record Speed(String model, double decodeTokensPerSecond, double decodeStddev, double prefillTokensPerSecond,
      double prefillStddev) {}

  /**
   * Speculative decoding over {@code prompts} prompts: tokens after the prompts and the seconds they
   * took (prompt passes excluded), draft tokens proposed and accepted (acceptance = accepted ÷
   * drafted, as llama.cpp prints it; a round is one target pass), and on how many prompts the
   * continuation agrees with llama.cpp's plain greedy one (F16) as far as both go.
   */
  public record SpeculativeFigures(int prompts, int draftMax, int tokens, double seconds, double tokensPerSecond, int drafted,
      int accepted, double acceptance, double acceptedPerRound, int sameAsGreedy) {}

  /**
   * @param workDir where the GGUF files are written (kept for reuse with the tools by hand)
   * @param prompts how many of {@link SpeculativeBench#PROMPTS} the speculative and greedy runs use
   */
  public record Settings(Path system1, Path system2, Path workDir, int threads, int decodeTokens, int prefillTokens,
      int repetitions, int prompts, int greedyTokens, int draftMax) {
    public Settings {
      if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
      if (decodeTokens < 1 || prefillTokens < 1) throw new IllegalArgumentException("token counts must be at least 1");
      if (repetitions < 1) throw new IllegalArgumentException("--repetitions must be at least 1");
      if (prompts < 1 || prompts > SpeculativeBench.PROMPTS.size()) {
        throw new IllegalArgumentException("--prompts must be in [1, " + SpeculativeBench.PROMPTS.size() + "]");
      }
      if (greedyTokens < 1) throw new IllegalArgumentException("--greedy-tokens must be at least 1");
      if (draftMax < 1 || draftMax > 16) throw new IllegalArgumentException("--draft must be in [1, 16]");
    }

    /** The bundled pair under {@code root}: 2 threads, tg128 and pp64, 3 repetitions, 4 prompts, 32 greedy tokens, drafts of 4. */
    public static Settings defaults(Path root) {
      return new Settings(root.resolve("models/system1"), root.resolve("models/system2"), root.resolve("work/llama.cpp/gguf"),
          2, 128, 64, 3, 4, 32, 4);
    }
  }

  public static LlamaCppComparison skipped(String why) {
    return new LlamaCppComparison(why, null, 0, 0, 0, null, null, null, null, Double.NaN, null, null, 0, 0, 0, 0, 0, List.of());
  }

  public boolean ran() {
    return skipped == null;
  }

  /** llama.cpp's speculative tokens/s over its System 2 (F16) alone; NaN when it did not run. */
  public double speculativeSpeedup() {
    return ran() ? speculative.tokensPerSecond() / system2F16.decodeTokensPerSecond() : Double.NaN;
  }

  /** fsgen's {@code tokensPerSecond} over llama.cpp's System 2 alone in F16 (NaN when it did not run). */
  public double ratio(double tokensPerSecond) {
    return ran() ? tokensPerSecond / system2F16.decodeTokensPerSecond() : Double.NaN;
  }

  /** Finds the tools and measures; skipped, with the reason, where they are missing or fail. */
  public static LlamaCppComparison measure(Settings s, Consumer<String> progress) {
    return measure(s, Progress.sink(progress));
  }

  /** The same, its progress counted in its steps on a line {@code sink} starts (none where the tools are missing). */
  public static LlamaCppComparison measure(Settings s, Progress.Sink sink) {
    var tools = LlamaCpp.find();
    if (tools.isEmpty()) return skipped(LlamaCpp.unavailableReason());
    try (Progress progress = sink.start("llama.cpp", "step", STEPS)) {
      return measure(tools.get(), s, progress);
    } catch (IOException | RuntimeException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      return skipped("llama.cpp comparison failed: " + e.getClass().getSimpleName() + ": " + first);
    }
  }

  public static LlamaCppComparison measure(LlamaCpp tools, Settings s, Consumer<String> progress) throws IOException {
    try (Progress p = Progress.lines(progress, "llama.cpp", "step", STEPS)) {
      return measure(tools, s, p);
    }
  }

  /** The comparison's steps: the conversion, llama-bench, the greedy comparison, fsgen's System 2 alone, llama-speculative-simple. */
  private static final int STEPS = 5;

  private static LlamaCppComparison measure(LlamaCpp tools, Settings s, Progress progress) throws IOException {
    Files.createDirectories(s.workDir());
    Path s2f16 = s.workDir().resolve("system2-f16.gguf");
    Path s2f32 = s.workDir().resolve("system2-f32.gguf");
    Path s1f16 = s.workDir().resolve("system1-f16.gguf");
    progress.note("converting System 1 and System 2 to GGUF in " + s.workDir());
    GgufExport.Summary summary = GgufExport.write(s.system2(), s2f16, GgufWriter.TensorType.F16);
    GgufExport.write(s.system2(), s2f32, GgufWriter.TensorType.F32);
    GgufExport.write(s.system1(), s1f16, GgufWriter.TensorType.F16);
    String pre = summary.preTokenizer().name() + (summary.preTokenizer().exact() ? "" : " (not exact)");
    progress.finished(1, "GGUF");

    progress.note("llama-bench (" + tools.release() + ", " + s.threads() + " threads): tg" + s.decodeTokens()
        + " and pp" + s.prefillTokens() + ", " + s.repetitions() + " repetitions each");
    Speed system2F16 = speed(tools, s2f16, s);
    Speed system2F32 = speed(tools, s2f32, s);
    Speed system1F16 = speed(tools, s1f16, s);
    progress.finished(1, "llama-bench");

    List<String> prompts = SpeculativeBench.PROMPTS.subList(0, s.prompts());
    progress.note("fsgen's System 2 and llama-simple greedy on " + prompts.size() + " prompts x " + s.greedyTokens() + " tokens");
    int sameTok = 0;
    int same32 = 0;
    int same16 = 0;
    List<String> differences = new ArrayList<>();
    List<String> greedy16 = new ArrayList<>();
    try (LlamaModel m = LlamaModel.load(s.system2(), WeightFormat.FP32); TextTokenizer tok = TextTokenizer.load(s.system2())) {
      ModelPair pair = pair(m);
      DecodeRequest toEnd = new DecodeRequest(s.greedyTokens(), SamplingParams.GREEDY, 0, Set.of(tok.eosId()));
      for (String prompt : prompts) {
        int[] ids = tok.encode(prompt);
        int[] theirIds = tools.tokenize(s2f32, prompt);
        if (Arrays.equals(ids, theirIds)) {
          sameTok++;
        } else {
          differences.add("tokens of '" + prompt + "': fsgen " + Arrays.toString(ids) + ", llama.cpp " + Arrays.toString(theirIds));
        }
        int[] gen = ALONE.run(pair, ids, toEnd, TokenSink.NONE).tokens();
        int[] all = Arrays.copyOf(ids, ids.length + gen.length);
        System.arraycopy(gen, 0, all, ids.length, gen.length);
        String ours = tok.decode(all);
        String t32 = tools.greedy(s2f32, prompt, s.greedyTokens());
        String t16 = tools.greedy(s2f16, prompt, s.greedyTokens());
        greedy16.add(t16);
        if (ours.equals(t32)) same32++; else differences.add("F32 " + difference(ours, t32));
        if (ours.equals(t16)) same16++; else differences.add("F16 " + difference(ours, t16));
      }
    }
    progress.finished(1, "greedy text");
    WeightFormat format = WeightFormat.configured();
    progress.note("fsgen's System 2 alone (" + format + " weights), " + prompts.size() + " prompts x " + s.decodeTokens() + " tokens");
    double fsgenRate = fsgenTokensPerSecond(s.system2(), prompts, s.decodeTokens(), format);
    progress.finished(1, "fsgen");

    progress.note("llama-speculative-simple: System 2 (F16) with System 1 (F16) drafting " + s.draftMax() + ", greedy, "
        + prompts.size() + " prompts x " + s.decodeTokens() + " tokens");
    int tokens = 0;
    int drafted = 0;
    int accepted = 0;
    int sameAsGreedy = 0;
    int rounds = 0;
    double seconds = 0;
    for (int i = 0; i < prompts.size(); i++) {
      LlamaCpp.Speculative r = tools.speculative(s2f16, s1f16, prompts.get(i), s.decodeTokens(), s.draftMax(), s.threads());
      tokens += r.tokens();
      seconds += r.seconds();
      drafted += r.drafted();
      accepted += r.accepted();
      rounds += r.rounds();
      if (prefixAgree(r.text(), greedy16.get(i))) sameAsGreedy++;
    }
    progress.finished(1, "speculative");
    SpeculativeFigures spec = new SpeculativeFigures(prompts.size(), s.draftMax(), tokens, seconds, tokens / seconds, drafted,
        accepted, drafted == 0 ? Double.NaN : (double) accepted / drafted, (double) accepted / rounds, sameAsGreedy);
    return new LlamaCppComparison(null, tools.release(), s.threads(), s.decodeTokens(), s.prefillTokens(), system2F16, system2F32,
        system1F16, spec, fsgenRate, format.toString(), pre, prompts.size(), s.greedyTokens(), sameTok, same32, same16, List.copyOf(differences));
  }

  private static final SingleModel ALONE = new SingleModel(SingleModel.Role.SYSTEM2);

  private static ModelPair pair(LlamaModel m) {
    LocalLanguageModel port = new LocalLanguageModel(m);
    return new ModelPair(port, port);
  }

  /** fsgen's System 2 alone, timed as JlamaComparison times it: every prompt once untimed, then every prompt timed. */
  private static double fsgenTokensPerSecond(Path system2, List<String> prompts, int tokens, WeightFormat format) {
    try (LlamaModel m = LlamaModel.load(system2, format, format == WeightFormat.BF16); TextTokenizer tok = TextTokenizer.load(system2)) {
      ModelPair pair = pair(m);
      DecodeRequest timed = new DecodeRequest(tokens, SamplingParams.GREEDY, 0, Set.of());
      List<int[]> ids = new ArrayList<>();
      for (String p : prompts) ids.add(tok.encode(p));
      for (int[] p : ids) ALONE.run(pair, p, timed, TokenSink.NONE);
      long t0 = System.nanoTime();
      for (int[] p : ids) ALONE.run(pair, p, timed, TokenSink.NONE);
      return (double) ids.size() * tokens / ((System.nanoTime() - t0) / 1e9);
    }
  }

  private static Speed speed(LlamaCpp tools, Path gguf, Settings s) throws IOException {
    List<LlamaCpp.BenchResult> r = tools.bench(gguf, s.threads(), s.prefillTokens(), s.decodeTokens(), s.repetitions());
    LlamaCpp.BenchResult tg = r.stream().filter(b -> b.genTokens() > 0).findFirst()
        .orElseThrow(() -> new IllegalStateException("llama-bench gave no tg result for " + gguf));
    LlamaCpp.BenchResult pp = r.stream().filter(b -> b.promptTokens() > 0).findFirst()
        .orElseThrow(() -> new IllegalStateException("llama-bench gave no pp result for " + gguf));
    return new Speed(gguf.getFileName().toString(), tg.tokensPerSecond(), tg.stddevTokensPerSecond(), pp.tokensPerSecond(),
        pp.stddevTokensPerSecond());
  }

  /** Whether one text continues the other, trailing line breaks aside (the runs stop at different lengths). */
  static boolean prefixAgree(String a, String b) {
    String x = a.replaceFirst("\n+$", "");
    String y = b.replaceFirst("\n+$", "");
    return x.startsWith(y) || y.startsWith(x);
  }

  /** Where two texts first differ, with a little of each from there. */
  static String difference(String ours, String theirs) {
    int i = 0;
    while (i < ours.length() && i < theirs.length() && ours.charAt(i) == theirs.charAt(i)) i++;
    int from = Math.max(0, i - 20);
    return "differs at char " + i + ": fsgen '" + snippet(ours, from, i) + "', llama.cpp '" + snippet(theirs, from, i) + "'";
  }

  private static String snippet(String s, int from, int at) {
    return (s.substring(from, Math.min(s.length(), at + 20))).replace("\n", "\\n");
  }

  public static String toJson(LlamaCppComparison c) {
    return Json.gson().toJson(c);
  }

  public static String toTable(LlamaCppComparison c) {
    if (!c.ran()) return "llama.cpp comparison skipped: " + c.skipped() + "\n";
    StringBuilder b = new StringBuilder();
    b.append(String.format("%s, native tools, %d threads (llama-bench: tg%d from an empty context, pp%d)%n", c.release(),
        c.threads(), c.decodeTokens(), c.prefillTokens()));
    b.append(String.format("  %-28s %14s %14s%n", "model", "decode tok/s", "prefill tok/s"));
    for (Speed sp : new Speed[] {c.system2F16(), c.system2F32(), c.system1F16()}) {
      b.append(String.format("  %-28s %8.1f ±%4.0f %8.1f ±%4.0f%n", sp.model(), sp.decodeTokensPerSecond(), sp.decodeStddev(),
          sp.prefillTokensPerSecond(), sp.prefillStddev()));
    }
    SpeculativeFigures s = c.speculative();
    b.append(String.format("  speculative, System 2 F16 + System 1 F16 drafting %d, greedy, %d prompts: %.1f tok/s (%.2fx System 2 F16),%n"
        + "    acceptance %.1f%% (%d of %d drafted, %.2f per round), continuation as plain greedy on %d of %d prompts%n",
        s.draftMax(), s.prompts(), s.tokensPerSecond(), c.speculativeSpeedup(), 100 * s.acceptance(), s.accepted(), s.drafted(),
        s.acceptedPerRound(), s.sameAsGreedy(), s.prompts()));
    b.append(String.format("fsgen's System 2 alone in process, %s weights, greedy, %d tokens per prompt (prompt pass included):"
        + " %.1f tok/s (%.2fx llama.cpp's System 2 F16)%n", c.fsgenWeights(), c.decodeTokens(), c.fsgenSystem2TokensPerSecond(),
        c.ratio(c.fsgenSystem2TokensPerSecond())));
    b.append(String.format("Same greedy text as fsgen's System 2 (%d prompts x %d tokens): F32 %d, F16 %d; same prompt tokens %d"
        + " (pre-tokenizer %s)%n", c.greedyPrompts(), c.greedyTokens(), c.sameGreedyF32(), c.sameGreedyF16(), c.sameTokenization(),
        c.preTokenizer()));
    for (String d : c.differences()) b.append("  ").append(d).append('\n');
    return b.toString();
  }
}
