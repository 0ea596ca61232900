package dev.fsgen.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.fsgen.runtime.model.KvCache;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Batch-1 inference speed and memory of one model, set against what this machine could do at
 * best: decoding one token has to read every weight once, so the time a single libtorch
 * matrix-vector product needs to stream the same number of bytes is the floor a decode step is
 * judged by. Floor and decode are measured in the same process, on the same library and threads,
 * so the ratio holds even when absolute timings are disturbed by other work on the machine.
 */
public final class RuntimeBench {
  /** Decode may cost at most this multiple of the floor. */
  public static final double FLOOR_RATIO_TARGET = 1.5;
  /** Resident memory may be at most this multiple of the weights plus {@link #RSS_ALLOWANCE_BYTES}. */
  public static final double RSS_WEIGHT_FACTOR = 2.0;
  /** For the JVM, libtorch's code and the allocator's slack. */
  public static final long RSS_ALLOWANCE_BYTES = 300_000_000L;

  private static final long SEED = 20240601L;
  /** Small ops timed back to back per sample, so the clock's own cost vanishes. */
  private static final int OPS_PER_SAMPLE = 100;

  private RuntimeBench() {}

  /**
   * What to run.
   *
   * @param promptTokens prompt prefilled before each decode run
   * @param decodeTokens timed one-token steps per repetition
   * @param repeats decode repetitions (each rolls the cache back to empty)
   * @param prefillTokens prompt length of the prefill figure
   * @param floorSamples most samples per floor figure
   * @param floorBudgetMs sampling time per floor figure, once a few samples are in
   */
  public record Settings(int promptTokens, int decodeTokens, int repeats, int prefillTokens, int floorSamples,
                         int floorBudgetMs) {
    public Settings {
      positive(promptTokens, "--prompt-tokens");
      positive(decodeTokens, "--decode-tokens");
      positive(repeats, "--repeats");
      positive(prefillTokens, "--prefill-tokens");
      positive(floorSamples, "floor samples");
      positive(floorBudgetMs, "floor budget");
    }

    public static Settings defaults() {
      return new Settings(64, 128, 3, 256, 200, 1000);
    }

    public Settings with(int prompt, int decode, int reps, int prefill) {
      return new Settings(prompt, decode, reps, prefill, floorSamples, floorBudgetMs);
    }

    void checkFits(LlamaConfig c) {
      int context = c.maxPositionEmbeddings();
      if (promptTokens + decodeTokens > context) {
        throw new IllegalArgumentException("--prompt-tokens + --decode-tokens = " + (promptTokens + decodeTokens)
            + " exceeds the model's context of " + context);
      }
      if (prefillTokens > context) {
        throw new IllegalArgumentException("--prefill-tokens " + prefillTokens + " exceeds the model's context of " + context);
      }
    }

    private static void positive(int v, String name) {
      if (v < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + v);
    }
  }

  /**
   * @param weightBytes the weights as the model holds them (libtorch's fp32, or only the packed matrices)
   * @param readBytes what one decode step reads: the packed matrices in their format, or libtorch's fp32
   * @param weightFormat how the decode path holds its matrices (fp32 or bf16)
   * @param fileBytes the checkpoint's safetensors files (0 for a model built in memory)
   */
  public record ModelInfo(String source, long parameters, long weightBytes, long readBytes, String weightFormat, long fileBytes,
                          int layers,
                          int hiddenSize, int intermediateSize, int heads, int kvHeads, int headDim, int vocabSize, int context,
                          double loadMs) {}

  /** The machine as the run saw it: a load average above the processor count means shared cores. */
  public record Host(String cpu, int processors, double loadAverage, String java) {}

  /** libtorch's pools: intra-op threads run one op in parallel, inter-op threads run ops side by side. */
  public record Threads(int intraOp, int interOp, int processThreads) {}

  /**
   * One-token steps on a growing cache.
   *
   * @param floorRatio median step / floor (one read of the weight bytes)
   * @param shapedFloorRatio median step / the model-shaped matrix-vector products
   */
  public record Decode(int steps, double medianMs, double p90Ms, double meanMs, double minMs, double tokensPerSecond,
                       double floorRatio, double shapedFloorRatio, double floorRatioTarget, boolean pass) {}

  public record Prefill(int tokens, int samples, double medianMs, double minMs, double tokensPerSecond) {}

  /**
   * What reading the weights costs here.
   *
   * @param bytes bytes of the single matrix (the model's weight bytes, rounded up to whole columns)
   * @param shape the single product, e.g. [1, 128] x [128, 8717]
   * @param medianMs median time of that product
   * @param gbPerSecond bytes / median time (10^9 bytes per second)
   * @param shapedBytes bytes of the model-shaped matrices (every projection of every layer and the output head)
   * @param shapedOps products per sample in the model-shaped figure (4 per layer + 1)
   * @param shapedMedianMs median time of one pass over the model-shaped matrices
   * @param opOverheadUs cost of one small elementwise op (call, dispatch, result allocation and free)
   */
  public record Floor(long bytes, String shape, int samples, double medianMs, double gbPerSecond, long shapedBytes,
                      int shapedOps, int shapedSamples, double shapedMedianMs, double opOverheadUs) {}

  /**
   * Resident memory (kernel view) and the JVM heap (Java view). The target applies to resident
   * memory after loading and after decoding, whichever is larger.
   */
  public record Memory(long rssAfterLoadBytes, long rssAfterDecodeBytes, long rssPeakBytes, long rssAnonBytes,
                       long rssFileBytes, long targetBytes, boolean pass, long heapUsedBytes, long heapCommittedBytes,
                       long heapMaxBytes, long nonHeapUsedBytes) {}

  public record Figures(ModelInfo model, Settings settings, Host host, Threads threads, Decode decode, Prefill prefill,
                        Floor floor, Memory memory, ProductBench.Figures products) {}

  /** Loads a model directory, measures it and frees it again. */
  public static Figures measure(Path dir, Settings s, Consumer<String> progress) {
    progress.accept("loading " + dir);
    long t0 = System.nanoTime();
    try (LlamaModel model = LlamaModel.load(dir)) {
      double loadMs = Samples.ms(System.nanoTime() - t0);
      return measure(model, dir.toString(), loadMs, s, progress);
    }
  }

  /**
   * Measures a model that is already loaded; nothing else should be running in this process.
   * Memory after loading is read on entry.
   */
  public static Figures measure(LlamaModel model, String source, double loadMs, Settings s, Consumer<String> progress) {
    LlamaConfig c = model.config();
    s.checkFits(c);
    ProcStatus afterLoad = ProcStatus.read();
    Random rng = new Random(SEED);

    progress.accept(String.format(Locale.ROOT, "decode: warm-up, then %d x (%d-token prompt + %d steps)",
        s.repeats(), s.promptTokens(), s.decodeTokens()));
    Samples steps = decode(model, tokens(rng, s.promptTokens(), c.vocabSize()), s);
    ProcStatus afterDecode = ProcStatus.read();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();

    int prefillSamples = Math.max(3, s.repeats());
    progress.accept(String.format(Locale.ROOT, "prefill: %d x %d tokens", prefillSamples, s.prefillTokens()));
    Samples prefill = prefill(model, tokens(rng, s.prefillTokens(), c.vocabSize()), prefillSamples);

    // the bytes a step reads: a bf16 decode path reads 2 per weight, so its floor is half the products' width
    boolean java = model.decodeBytes() > 0;
    long readBytes = java ? model.decodeBytes() : model.weightBytes();
    progress.accept("floor: matrix-vector products over " + readBytes + " bytes");
    Floor floor = floor(c, readBytes, java ? model.weightFormat().bytes() : Float.BYTES, s);

    ModelInfo info = new ModelInfo(source, c.parameterCount(), model.weightBytes(), readBytes,
        java ? model.weightFormat().toString() : "fp32", fileBytes(model.directory()), c.numLayers(), c.hiddenSize(),
        c.intermediateSize(), c.numHeads(), c.numKvHeads(), c.headDim(), c.vocabSize(), c.maxPositionEmbeddings(),
        loadMs);
    double median = Samples.ms(steps.median());
    double ratio = median / floor.medianMs();
    Decode decode = new Decode(steps.count(), median, Samples.ms(steps.percentile(0.9)), Samples.ms(steps.mean()),
        Samples.ms(steps.min()), 1000.0 / median, ratio, median / floor.shapedMedianMs(), FLOOR_RATIO_TARGET,
        ratio <= FLOOR_RATIO_TARGET);
    double prefillMs = Samples.ms(prefill.median());
    Prefill pre = new Prefill(s.prefillTokens(), prefill.count(), prefillMs, Samples.ms(prefill.min()),
        s.prefillTokens() * 1000.0 / prefillMs);
    long target = (long) (RSS_WEIGHT_FACTOR * model.weightBytes()) + RSS_ALLOWANCE_BYTES;
    ProcStatus end = ProcStatus.read();
    boolean known = afterLoad.rssBytes() >= 0 && afterDecode.rssBytes() >= 0;
    Memory memory = new Memory(afterLoad.rssBytes(), afterDecode.rssBytes(), end.peakRssBytes(),
        afterDecode.rssAnonBytes(), afterDecode.rssFileBytes(), target,
        known && Math.max(afterLoad.rssBytes(), afterDecode.rssBytes()) <= target,
        heap.getUsed(), heap.getCommitted(), heap.getMax(), nonHeap.getUsed());
    Threads threads = new Threads(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), afterDecode.threads());
    ProductBench.Figures products = model.productPass(1) == null ? null : ProductBench.measure(model, progress);
    return new Figures(info, s, host(), threads, decode, pre, floor, memory, products);
  }

  /** Per-step latencies of every timed decode step (the warm-up repetition is not kept). */
  private static Samples decode(LlamaModel model, int[] prompt, Settings s) {
    long[] nanos = new long[s.repeats() * s.decodeTokens()];
    try (KvCache cache = model.newCache(1)) {
      // the warm-up covers the full length, so the cache has grown to its final capacity before timing
      decodeRun(model, cache, prompt, s.decodeTokens(), null, 0);
      for (int r = 0; r < s.repeats(); r++) decodeRun(model, cache, prompt, s.decodeTokens(), nanos, r * s.decodeTokens());
    }
    return new Samples(nanos);
  }

  private static void decodeRun(LlamaModel model, KvCache cache, int[] prompt, int steps, long[] nanos, int offset) {
    cache.rollback(0);
    int token = argmax(model.next(prompt, cache));
    for (int i = 0; i < steps; i++) {
      long t0 = System.nanoTime();
      float[] logits = model.next(new int[] {token}, cache); // [vocab]
      long dt = System.nanoTime() - t0;
      if (nanos != null) nanos[offset + i] = dt;
      token = argmax(logits);
    }
  }

  private static Samples prefill(LlamaModel model, int[] prompt, int samples) {
    long[] nanos = new long[samples];
    try (KvCache cache = model.newCache(1)) {
      model.next(prompt, cache);
      for (int i = 0; i < samples; i++) {
        cache.rollback(0);
        long t0 = System.nanoTime();
        model.next(prompt, cache);
        nanos[i] = System.nanoTime() - t0;
      }
    }
    return new Samples(nanos);
  }

  /**
   * The single product is [1, hidden] x [hidden, n] with n chosen so the matrix holds the model's
   * weight bytes: the orientation of the model's own projections ([in, out]), and a row as long as
   * its hidden size. The model-shaped pass adds what splitting the same bytes into the real
   * matrices costs (one op each).
   */
  private static Floor floor(LlamaConfig c, long weightBytes, int bytesPerWeight, Settings s) {
    long k = c.hiddenSize();
    long n = Math.max(1, ceilDiv(weightBytes / Float.BYTES, k));
    try (NDManager m = LlamaModel.newManager()) {
      NDArray x = m.randomUniform(-1f, 1f, new Shape(1, k)); // [1, hidden]
      NDArray w = m.randomUniform(-1f, 1f, new Shape(k, n)); // [hidden, n]
      Samples single = time(() -> x.matMul(w).close(), s);
      w.close();

      List<NDArray[]> products = new ArrayList<>(); // each {x [1, in], w [in, out]}
      long shapedBytes = 0;
      int h = c.hiddenSize();
      int bpw = bytesPerWeight;
      for (int l = 0; l < c.numLayers(); l++) {
        shapedBytes += add(products, m, h, c.qDim() + 2L * c.kvDim(), bpw);
        shapedBytes += add(products, m, c.qDim(), h, bpw);
        shapedBytes += add(products, m, h, 2L * c.intermediateSize(), bpw);
        shapedBytes += add(products, m, c.intermediateSize(), h, bpw);
      }
      shapedBytes += add(products, m, h, c.vocabSize(), bpw);
      Samples shaped = time(() -> {
        for (NDArray[] p : products) p[0].matMul(p[1]).close();
      }, s);
      for (NDArray[] p : products) {
        p[0].close();
        p[1].close();
      }

      NDArray b = m.randomUniform(-1f, 1f, new Shape(1, h)); // [1, hidden]
      Samples ops = time(() -> {
        for (int i = 0; i < OPS_PER_SAMPLE; i++) x.add(b).close();
      }, s);

      double ms = Samples.ms(single.median());
      long bytes = k * n * Float.BYTES;
      return new Floor(bytes, "[1, " + k + "] x [" + k + ", " + n + "]", single.count(), ms, bytes / (ms * 1e6),
          shapedBytes, products.size(), shaped.count(), Samples.ms(shaped.median()),
          ops.median() / 1e3 / OPS_PER_SAMPLE);
    }
  }

  /** An fp32 product [1, in] x [in, out'] reading the bytes of [in, out] weights held in {@code bytesPerWeight} each. */
  private static long add(List<NDArray[]> products, NDManager m, long in, long out, int bytesPerWeight) {
    long cols = Math.max(1, out * bytesPerWeight / Float.BYTES);
    products.add(new NDArray[] {m.randomUniform(-1f, 1f, new Shape(1, in)), m.randomUniform(-1f, 1f, new Shape(in, cols))});
    return in * cols * Float.BYTES;
  }

  /** A few untimed calls, then samples until the budget is spent (but at least a few, at most the cap). */
  private static Samples time(Runnable op, Settings s) {
    for (int i = 0; i < 3; i++) op.run();
    int min = Math.min(5, s.floorSamples());
    long budget = s.floorBudgetMs() * 1_000_000L;
    long[] nanos = new long[s.floorSamples()];
    int count = 0;
    long start = System.nanoTime();
    while (count < nanos.length && (count < min || System.nanoTime() - start < budget)) {
      long t0 = System.nanoTime();
      op.run();
      nanos[count++] = System.nanoTime() - t0;
    }
    return new Samples(Arrays.copyOf(nanos, count));
  }

  private static Host host() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return new Host(cpuName(), Runtime.getRuntime().availableProcessors(), load, Runtime.version().toString());
  }

  private static String cpuName() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException | SecurityException e) {
      // not Linux: the architecture is all there is to say
    }
    return System.getProperty("os.arch");
  }

  private static int[] tokens(Random rng, int n, int vocab) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
    return ids;
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }

  /** Bytes of the safetensors files in {@code dir} (the shards of a checkpoint), 0 without one. */
  private static long fileBytes(Path dir) {
    if (dir == null) return 0;
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  public static String toJson(Figures f) {
    return Json.gson().toJson(f);
  }

  /** The figures as a table for people; the wording of the verdicts matches the JSON flags. */
  public static String toTable(Figures f) {
    StringBuilder out = new StringBuilder();
    ModelInfo m = f.model();
    Decode d = f.decode();
    Prefill p = f.prefill();
    Floor fl = f.floor();
    Memory mem = f.memory();
    line(out, "model", "%s", m.source());
    line(out, "", "%.2f M parameters, %s of weights as held, %s read per step (%s); %d layers, hidden %d, intermediate %d,"
        + " heads %d/%d x %d, vocab %d", m.parameters() / 1e6, mb(m.weightBytes()), mb(m.readBytes()), m.weightFormat(), m.layers(), m.hiddenSize(), m.intermediateSize(), m.heads(),
        m.kvHeads(), m.headDim(), m.vocabSize());
    if (m.loadMs() > 0) line(out, "load", "%.0f ms", m.loadMs());
    line(out, "host", "%s, %d processors, load average %.2f%s", f.host().cpu(), f.host().processors(),
        f.host().loadAverage(), f.host().loadAverage() > f.host().processors() * 0.5
            ? " (other work is running: timings are disturbed)" : "");
    line(out, "threads", "libtorch intra-op %d, inter-op %d; %d threads in the process", f.threads().intraOp(),
        f.threads().interOp(), f.threads().processThreads());
    out.append('\n');
    line(out, "decode (batch 1)", "median %.3f ms, p90 %.3f ms, mean %.3f ms, min %.3f ms per token -> %.0f tokens/s",
        d.medianMs(), d.p90Ms(), d.meanMs(), d.minMs(), d.tokensPerSecond());
    line(out, "", "%d steps: %d x (%d-token prompt, then %d one-token steps), after one warm-up run", d.steps(),
        f.settings().repeats(), f.settings().promptTokens(), f.settings().decodeTokens());
    line(out, "prefill", "%d tokens in %.2f ms (median of %d) -> %.0f tokens/s", p.tokens(), p.medianMs(), p.samples(),
        p.tokensPerSecond());
    line(out, "floor", "%.3f ms to read %s once: %s matrix-vector product, %.1f GB/s (median of %d)", fl.medianMs(),
        mb(fl.bytes()), fl.shape(), fl.gbPerSecond(), fl.samples());
    line(out, "", "%.3f ms for the model's own shapes: %d products over %s (median of %d)", fl.shapedMedianMs(),
        fl.shapedOps(), mb(fl.shapedBytes()), fl.shapedSamples());
    line(out, "op overhead", "%.2f us per small op (call, dispatch, allocation, free)", fl.opOverheadUs());
    line(out, "decode / floor", "%.1fx (target <= %.1fx) %s; %.1fx the model-shaped products", d.floorRatio(),
        d.floorRatioTarget(), d.pass() ? "PASS" : "FAIL", d.shapedFloorRatio());
    out.append('\n');
    line(out, "resident memory", "%s after load, %s after decode, peak %s (anonymous %s, file-backed %s)",
        mb(mem.rssAfterLoadBytes()), mb(mem.rssAfterDecodeBytes()), mb(mem.rssPeakBytes()), mb(mem.rssAnonBytes()),
        mb(mem.rssFileBytes()));
    line(out, "", "target <= %.0f x %s + %s = %s %s", RSS_WEIGHT_FACTOR, mb(m.weightBytes()), mb(RSS_ALLOWANCE_BYTES),
        mb(mem.targetBytes()), mem.pass() ? "PASS" : "FAIL");
    if (m.fileBytes() > 0) {
      line(out, "", "checkpoint files %s: resident after load %.2fx, after decode %.2fx their size", mb(m.fileBytes()),
          mem.rssAfterLoadBytes() / (double) m.fileBytes(), mem.rssAfterDecodeBytes() / (double) m.fileBytes());
    }
    line(out, "JVM heap", "%s used, %s committed, %s max; non-heap %s used", mb(mem.heapUsedBytes()),
        mb(mem.heapCommittedBytes()), mb(mem.heapMaxBytes()), mb(mem.nonHeapUsedBytes()));
    if (f.products() != null) out.append('\n').append(ProductBench.toTable(f.products()));
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String format, Object... args) {
    out.append(String.format(Locale.ROOT, "%-17s %s%n", label, String.format(Locale.ROOT, format, args)));
  }

  private static String mb(long bytes) {
    if (bytes < 0) return "n/a";
    return String.format(Locale.ROOT, bytes < 10_000_000L ? "%.2f MB" : "%.0f MB", bytes / 1e6);
  }
}
