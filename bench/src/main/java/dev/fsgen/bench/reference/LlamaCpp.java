package dev.fsgen.bench.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's native command-line tools, run as child processes on GGUF files: {@code llama-bench}
 * for speed, {@code llama-simple} for a greedy continuation, {@code llama-tokenize} for token ids
 * and {@code llama-speculative-simple} for speculative decoding with a draft model.
 *
 * <p>The tools are looked for in {@code -Dfsgen.llamacpp.bin}, else {@code $FSGEN_LLAMA_CPP_BIN},
 * else {@code work/llama.cpp/build/bin} under the repository root, where
 * {@code scripts/build-llama-cpp.sh} builds them. Where they are missing {@link #find()} is empty
 * and {@link #unavailableReason()} says why.
 */
public final class LlamaCpp {
  public static final List<String> TOOLS = List.of("llama-bench", "llama-simple", "llama-tokenize", "llama-speculative-simple");
  public static final String BUILD_SCRIPT = "scripts/build-llama-cpp.sh";
  static final String DEFAULT_BIN = "work/llama.cpp/build/bin";
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Path bin;

  private LlamaCpp(Path bin) {
    this.bin = bin;
  }

  /** A finished tool run. */
  public record Run(List<String> command, int exit, String stdout, String stderr, double seconds) {}

  /**
   * One {@code llama-bench} test: a prompt of {@code promptTokens} (prefill) or {@code genTokens}
   * generated one at a time from an empty context (decode), mean and standard deviation over the
   * repetitions.
   */
  public record BenchResult(int promptTokens, int genTokens, int threads, String modelType, double tokensPerSecond,
      double stddevTokensPerSecond) {}

  /**
   * One {@code llama-speculative-simple} run: the text printed (prompt and continuation), tokens
   * decoded after the prompt and how long that took, and the drafts: tokens proposed and accepted.
   */
  public record Speculative(String text, int promptTokens, int tokens, double seconds, double tokensPerSecond, int draftMax,
      int drafted, int accepted) {
    /** Accepted ÷ drafted, as llama.cpp reports it ("accept"). */
    public double acceptance() {
      return drafted == 0 ? Double.NaN : (double) accepted / drafted;
    }

    /** Each round yields the accepted drafts and one token of the target's own, so rounds = tokens − accepted. */
    public int rounds() {
      return tokens - accepted;
    }
  }

  /** The tools when every one of {@link #TOOLS} is present and executable (a few file checks, not cached). */
  public static Optional<LlamaCpp> find() {
    for (Path c : candidates()) {
      Optional<LlamaCpp> found = at(c);
      if (found.isPresent()) return found;
    }
    return Optional.empty();
  }

  /** Why {@link #find()} is empty, for a skip message; empty when it is not. */
  public static String unavailableReason() {
    if (find().isPresent()) return "";
    List<Path> candidates = candidates();
    Path first = candidates.isEmpty() ? Paths.get(DEFAULT_BIN) : candidates.get(0);
    return "llama.cpp tools " + missing(first) + " not found in " + first.toAbsolutePath()
        + " (build them with " + BUILD_SCRIPT + ", or point -Dfsgen.llamacpp.bin / FSGEN_LLAMA_CPP_BIN at them)";
  }

  /** The tools in {@code bin}, if they are all there. */
  public static Optional<LlamaCpp> at(Path bin) {
    return missing(bin).isEmpty() ? Optional.of(new LlamaCpp(bin.toAbsolutePath().normalize())) : Optional.empty();
  }

  private static List<String> missing(Path bin) {
    List<String> missing = new ArrayList<>();
    for (String t : TOOLS) if (!Files.isExecutable(bin.resolve(t))) missing.add(t);
    return missing;
  }

  private static List<Path> candidates() {
    String explicit = System.getProperty("fsgen.llamacpp.bin");
    if (explicit == null || explicit.isBlank()) explicit = System.getenv("FSGEN_LLAMA_CPP_BIN");
    if (explicit != null && !explicit.isBlank()) return List.of(Paths.get(explicit));
    List<Path> candidates = new ArrayList<>();
    for (Path root : roots()) candidates.add(root.resolve(DEFAULT_BIN));
    return candidates;
  }

  /** The repository root: fsgen.root or the working directory, or a parent of either, holding the build script. */
  private static List<Path> roots() {
    List<Path> roots = new ArrayList<>();
    for (String prop : new String[] {"fsgen.root", "user.dir"}) {
      String v = System.getProperty(prop);
      if (v == null || v.isBlank()) continue;
      for (Path p = Paths.get(v).toAbsolutePath().normalize(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve(BUILD_SCRIPT)) && !roots.contains(p)) {
          roots.add(p);
          break;
        }
      }
    }
    return roots;
  }

  public Path bin() {
    return bin;
  }

  /**
   * The llama.cpp release the tools were built from, as node-llama-cpp's bundle names it
   * ({@code llama.cpp.info.json} beside the build), or "unknown".
   */
  public String release() {
    Path info = bin.resolve("../../npm/node_modules/node-llama-cpp/llama/llama.cpp.info.json").normalize();
    try {
      JsonObject o = JsonParser.parseString(Files.readString(info)).getAsJsonObject();
      return o.get("llamaCppGithubRepo").getAsString() + " " + o.get("tag").getAsString();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Runs one tool with {@code args} and waits for it (at most five minutes).
   *
   * @throws IOException when it cannot start, times out or exits non-zero; the message carries its stderr's end
   */
  public Run run(String tool, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(args);
    Path tmp = Files.createTempDirectory("fsgen-llamacpp-");
    try {
      Path out = tmp.resolve("stdout");
      Path err = tmp.resolve("stderr");
      long t0 = System.nanoTime();
      // to files, not pipes: a chatty tool never blocks on a full pipe
      Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!ChildProcess.awaitOrKill(p, TIMEOUT, tool)) {
        throw new IOException(tool + " timed out after " + TIMEOUT.toSeconds() + " s: " + String.join(" ", cmd));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(tool + " exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + tail(stderr, 2000));
      }
      return new Run(List.copyOf(cmd), p.exitValue(), stdout, stderr, seconds);
    } finally {
      for (String f : new String[] {"stdout", "stderr"}) Files.deleteIfExists(tmp.resolve(f));
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * {@code llama-bench} on one model: a prefill test of {@code promptTokens} (none when 0) and a
   * decode test of {@code genTokens} (none when 0), each repeated {@code repetitions} times.
   */
  public List<BenchResult> bench(Path gguf, int threads, int promptTokens, int genTokens, int repetitions) throws IOException {
    Run r = run("llama-bench", List.of("-m", gguf.toString(), "-t", Integer.toString(threads), "-p", Integer.toString(promptTokens),
        "-n", Integer.toString(genTokens), "-r", Integer.toString(repetitions), "-o", "json"));
    return parseBench(r.stdout());
  }

  static List<BenchResult> parseBench(String json) {
    JsonArray tests = JsonParser.parseString(json).getAsJsonArray();
    List<BenchResult> out = new ArrayList<>();
    for (JsonElement e : tests) {
      JsonObject o = e.getAsJsonObject();
      out.add(new BenchResult(o.get("n_prompt").getAsInt(), o.get("n_gen").getAsInt(), o.get("n_threads").getAsInt(),
          o.has("model_type") ? o.get("model_type").getAsString() : "", o.get("avg_ts").getAsDouble(), o.get("stddev_ts").getAsDouble()));
    }
    return out;
  }

  /** The token ids llama.cpp's tokenizer gives {@code text} (no BOS unless the model asks for one). */
  public int[] tokenize(Path gguf, String text) throws IOException {
    Run r = run("llama-tokenize", List.of("-m", gguf.toString(), "-p", text, "--ids", "--log-disable"));
    return parseIds(r.stdout());
  }

  static int[] parseIds(String stdout) {
    String s = stdout.strip();
    int open = s.lastIndexOf('[');
    int close = s.lastIndexOf(']');
    if (open < 0 || close < open) throw new IllegalArgumentException("no [ids] in llama-tokenize output: " + tail(stdout, 200));
    String body = s.substring(open + 1, close).strip();
    if (body.isEmpty()) return new int[0];
    String[] parts = body.split(",");
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) ids[i] = Integer.parseInt(parts[i].strip());
    return ids;
  }

  /**
   * {@code llama-simple}'s greedy continuation of {@code prompt}: the prompt's tokens as text, then
   * at most {@code tokens} generated tokens as text (it stops at the end-of-text token).
   */
  public String greedy(Path gguf, String prompt, int tokens) throws IOException {
    return greedyRun(gguf, prompt, tokens).stdout().replaceFirst("\n$", "");
  }

  /** The whole {@code llama-simple} run; its stderr carries the loader's log ({@link #modelInfo}). */
  public Run greedyRun(Path gguf, String prompt, int tokens) throws IOException {
    return run("llama-simple", List.of("-m", gguf.toString(), "-n", Integer.toString(tokens), prompt));
  }

  /**
   * Speculative decoding of {@code prompt} with {@code target} checking drafts of up to
   * {@code draftMax} tokens from {@code draft} (always that many: no minimum probability), greedy
   * (temperature 0, top-k 1), about {@code tokens} tokens (it may overshoot by a draft).
   */
  public Speculative speculative(Path target, Path draft, String prompt, int tokens, int draftMax, int threads)
      throws IOException {
    String t = Integer.toString(threads);
    List<String> args = List.of("-m", target.toString(), "-md", draft.toString(), "-p", prompt,
        "-n", Integer.toString(tokens), "--temp", "0", "--top-k", "1", "--seed", "1",
        "--spec-type", "draft-simple", "--spec-draft-n-max", Integer.toString(draftMax), "--spec-draft-n-min", "0", "--spec-draft-p-min", "0",
        "-t", t, "-tb", t, "-td", t, "-tbd", t, "-c", "1024");
    // On a busy machine the tool now and then exits 0 without its closing figures (its log is
    // written by a thread of its own): such a run is repeated, twice at most.
    for (int attempt = 1; ; attempt++) {
      Run r = run("llama-speculative-simple", args);
      try {
        return parseSpeculative(r.stdout(), r.stderr());
      } catch (IllegalArgumentException e) {
        if (attempt == 3) {
          throw new IOException(e.getMessage() + " (" + attempt + " runs; last printed " + r.stdout().length() + " characters on stdout, "
              + r.stderr().length() + " on stderr)", e);
        }
      }
    }
  }

  private static final Pattern ENCODED = Pattern.compile("encoded\\s+(\\d+) tokens in\\s+([0-9.]+) seconds");
  private static final Pattern DECODED = Pattern.compile("decoded\\s+(\\d+) tokens in\\s+([0-9.]+) seconds, speed:\\s+([0-9.]+) t/s");

  static Speculative parseSpeculative(String stdout, String stderr) {
    String log = stdout + "\n" + stderr;
    Matcher enc = ENCODED.matcher(log);
    Matcher dec = DECODED.matcher(log);
    if (!enc.find() || !dec.find()) {
      throw new IllegalArgumentException("no 'encoded/decoded N tokens' lines in llama-speculative-simple output: " + tail(log, 600));
    }
    String text = stdout.startsWith("\n\n") ? stdout.substring(2) : stdout;
    return new Speculative(text, Integer.parseInt(enc.group(1)), Integer.parseInt(dec.group(1)), Double.parseDouble(dec.group(2)),
        Double.parseDouble(dec.group(3)), intField(log, "n_draft"), intField(log, "n_drafted"), intField(log, "n_accept"));
  }

  private static int intField(String log, String name) {
    Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*(-?\\d+)").matcher(log);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * The model description llama.cpp logs while loading ({@code print_info: name = value} lines
   * of a tool's stderr), e.g. n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab, f_norm_rms_eps.
   */
  public static Map<String, String> modelInfo(String log) {
    Map<String, String> info = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^print_info: ([^=\\n]+?)\\s+=\\s+(.*)$").matcher(log);
    while (m.find()) info.putIfAbsent(m.group(1).strip(), m.group(2).strip());
    return info;
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : "..." + s.substring(s.length() - n);
  }
}
