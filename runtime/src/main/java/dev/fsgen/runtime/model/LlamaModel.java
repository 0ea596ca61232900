package dev.fsgen.runtime.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.Map;

/**
 * A loaded Llama-family model ready for inference: config, fp32 weights and the decoder. One
 * instance may serve many sequences, each with its own {@link KvCache}; calls on one cache must
 * not overlap.
 */
public final class LlamaModel implements AutoCloseable {
  private final LlamaConfig config;
  private final Placement placement;
  private final NDManager manager;
  private final FusedWeights fused;
  private final Transformer transformer;
  private final Path directory;
  /**
   * Packed weights below this many bytes are multiplied on one core: a small model's products
   * end before handing half of them to a second core pays. Measured with {@code ./fsgen bench
   * runtime} (System 1, 2.2 MB in bf16: 1 core faster; System 2, 22 MB: 2 cores faster); override
   * with {@code -Dfsgen.decode.parallelBytes}.
   */
  static final long PARALLEL_BYTES = Long.getLong("fsgen.decode.parallelBytes", 8L << 20);
  private final WeightFormat format;
  private VectorDecoder decoder; // null on the libtorch path, or once closed
  private long packedBytes;
  /**
   * Whether libtorch's copies of the matrices were freed once packed: every block then runs in
   * Java (prompts in blocks of {@link #JAVA_BLOCK}), and the model holds its matrices once, in the
   * packed format (a bf16 model in half the memory of its fp32 form).
   */
  private final boolean javaOnly;

  private LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> weights, Path directory, WeightFormat format,
      boolean javaOnly, Placement placement) {
    if (!placement.device().equals(manager.getDevice())) {
      throw new IllegalArgumentException("weights on " + manager.getDevice() + " for a model placed on " + placement.device());
    }
    this.config = config;
    this.manager = manager;
    this.placement = placement;
    this.directory = directory;
    this.format = format;
    this.fused = FusedWeights.forInference(config, weights, manager);
    this.transformer = new Transformer(config, manager);
    this.javaOnly = javaOnly && placement.javaSteps();
    if (placement.javaSteps()) {
      decodeWith(WeightViews.of(fused, format));
      if (this.javaOnly) fused.closeMatrices();
    }
  }

  /** A model that holds its weights only as the Java decode path reads them (no libtorch copy). */
  private LlamaModel(LlamaConfig config, NDManager manager, WeightViews views, Path directory, WeightFormat format,
      Placement placement) {
    this.config = config;
    this.manager = manager;
    this.placement = placement;
    this.directory = directory;
    this.format = format;
    this.fused = null;
    this.transformer = new Transformer(config, manager);
    this.javaOnly = true;
    decodeWith(views);
  }

  private void decodeWith(WeightViews views) {
    this.packedBytes = views.packedBytes();
    this.decoder = new VectorDecoder(config, views, packedBytes >= PARALLEL_BYTES);
  }

  /** The engine every fsgen model runs on: PyTorch, on the CPU. */
  public static NDManager newManager() {
    return newManager(ai.djl.Device.cpu());
  }

  /** A PyTorch manager whose arrays, and those of its sub-managers, live on {@code device}. */
  public static NDManager newManager(ai.djl.Device device) {
    return Engine.getEngine("PyTorch").newBaseManager(device);
  }

  /**
   * Moves weights made on the host into {@code onto} (a manager on the model's device): a copy on
   * a GPU, on the CPU only a change of owner. Every placement runs this, so the CPU runs the GPU's
   * loading code too.
   */
  private static Map<String, NDArray> place(Map<String, NDArray> hostWeights, NDManager onto) {
    Map<String, NDArray> placed = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : hostWeights.entrySet()) {
      NDArray a = e.getValue().toDevice(onto.getDevice(), false);
      a.attach(onto);
      if (a != e.getValue()) e.getValue().close(); // the host copy, freed as soon as it is on the device
      placed.put(e.getKey(), a);
    }
    return placed;
  }

  /**
   * Loads a Hugging Face layout directory with the weight format the process is configured for
   * ({@link WeightFormat#configured()}); nothing stays allocated if any part of it is wrong.
   */
  public static LlamaModel load(Path dir) {
    WeightFormat f = WeightFormat.configured();
    return load(dir, f, f == WeightFormat.BF16);
  }

  /** Loads a Hugging Face layout directory, its decode path holding the weights in {@code format}. */
  public static LlamaModel load(Path dir, WeightFormat format) {
    return load(dir, format, false);
  }

  /**
   * Loads a Hugging Face layout directory, its decode path holding the weights in {@code format};
   * with {@code javaOnly} every block runs in Java and the weights are read from the files straight
   * into the decode path's packed form, in the checkpoint's dtype or {@code format}'s (serving: the
   * packed matrices, about the file's size in bf16, are all the model holds; the embedding is read
   * from the file in place); without it libtorch holds fp32 copies for prompts, training and
   * evaluation.
   */
  public static LlamaModel load(Path dir, WeightFormat format, boolean javaOnly) {
    return load(dir, format, javaOnly, Placement.configured());
  }

  /**
   * {@link #load(Path, WeightFormat, boolean)} onto {@code placement}'s device with its decode
   * path: the weights are read on the host, then moved to the device.
   */
  public static LlamaModel load(Path dir, WeightFormat format, boolean javaOnly, Placement placement) {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir, "not a model directory (expected config.json, model.safetensors, tokenizer.json)");
    }
    LlamaConfig config = LlamaConfig.read(dir);
    NDManager manager = newManager(placement.device());
    try (NDManager host = newManager()) {
      if (javaOnly && placement.javaSteps()) {
        // read in place: a bf16 checkpoint is never widened to an fp32 copy, not even while loading
        return new LlamaModel(config, manager, WeightViews.stored(config, Checkpoint.locate(dir, config), format), dir, format,
            placement);
      }
      return new LlamaModel(config, manager, place(Checkpoint.loadWeights(dir, config, host), manager), dir, format, javaOnly,
          placement);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Wraps weights that already live in {@code manager} (which the model then owns). */
  public static LlamaModel of(LlamaConfig config, Map<String, NDArray> weights, NDManager manager) {
    return of(config, weights, manager, WeightFormat.configured());
  }

  /** {@link #of(LlamaConfig, Map, NDManager)} with the decode path's weight format. */
  public static LlamaModel of(LlamaConfig config, Map<String, NDArray> weights, NDManager manager, WeightFormat format) {
    Placement configured = Placement.configured();
    Placement here = manager.getDevice().equals(configured.device()) ? configured : Placement.parse(Placement.name(manager.getDevice()), null);
    return new LlamaModel(config, manager, weights, null, format, false, here);
  }

  /** Random weights as a freshly initialised model of this config would have them (for tests). */
  public static LlamaModel random(LlamaConfig config, long seed) {
    return random(config, seed, WeightFormat.configured());
  }

  /** {@link #random(LlamaConfig, long)} with the decode path's weight format. */
  public static LlamaModel random(LlamaConfig config, long seed, WeightFormat format) {
    return random(config, seed, format, Placement.configured());
  }

  /** {@link #random(LlamaConfig, long, WeightFormat)} on {@code placement}'s device with its decode path. */
  public static LlamaModel random(LlamaConfig config, long seed, WeightFormat format, Placement placement) {
    NDManager manager = newManager(placement.device());
    try (NDManager host = newManager()) {
      return new LlamaModel(config, manager, place(Initializer.init(config, host, seed), manager), null, format, false, placement);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public LlamaConfig config() {
    return config;
  }

  /** The directory it was loaded from, or null for a model built in memory. */
  public Path directory() {
    return directory;
  }

  /**
   * A fresh copy of the weights under their Hugging Face names, owned by {@code into} (the model
   * itself holds them only in fused form).
   */
  public Map<String, NDArray> weights(NDManager into) {
    requireLibtorchWeights("its weights");
    return fused.unfuse(config, into);
  }

  /** Copies owned by the model, freed when it closes: for tests and one-off inspection. */
  public Map<String, NDArray> weights() {
    return weights(manager);
  }

  /**
   * Bytes of the weights as held in memory: libtorch's fp32 copies, or, for a model that holds
   * only the decode path's packed matrices ({@link #javaOnly()}), those.
   */
  public long weightBytes() {
    return fused == null ? packedBytes : config.parameterCount() * Float.BYTES;
  }

  /** Where the model's arrays live and which code runs its short steps. */
  public Placement placement() {
    return placement;
  }

  /** How the decode path holds its weights (bf16 rounds the model's weights to bf16 values). */
  public WeightFormat weightFormat() {
    return format;
  }

  /** Bytes of packed weights a decode step reads once (0 without the Java decode path). */
  public long decodeBytes() {
    return packedBytes;
  }

  /**
   * Every matrix product of the Java decode path over {@code rows} rows (1 to 16), for timing the
   * products alone; null without the Java decode path.
   */
  public Runnable productPass(int rows) {
    if (rows < 1 || rows > JAVA_BLOCK) throw new IllegalArgumentException("rows must be 1 to " + JAVA_BLOCK + ", got " + rows);
    return decoder == null ? null : decoder.products(rows);
  }

  /** Multiply-adds of one row through every product of a decode pass (attention not counted). */
  public long productMacsPerRow() {
    return decoder == null ? 0 : decoder.macsPerRow();
  }

  /** Whether the decode path's products use a second core (by default large models do, small ones do not). */
  public boolean decodeParallel() {
    return decoder != null && decoder.parallel && RowSplit.ENABLED;
  }

  /** Lets the decode path's products use a second core or not (for measuring which is faster). */
  public void decodeParallel(boolean parallel) {
    if (decoder != null) decoder.parallel = parallel;
  }

  public KvCache newCache(int batch) {
    return new KvCache(config, manager, batch, 256);
  }

  /**
   * Appends {@code tokens} to a batch-1 cache and returns the logits after the last one: [vocab].
   * A single token runs in Java ({@link VectorDecoder}) on the Java decode path, a block on
   * libtorch; both read and write the same cache, so they mix in any order.
   */
  public float[] next(int[] tokens, KvCache cache) {
    if (javaBlock(tokens, cache)) return decoder.block(tokens, cache, true)[0];
    if (javaOnly && cache.batch() == 1) return javaChunks(tokens, cache, true)[0];
    return run(new int[][] {tokens}, cache, true)[0][0];
  }

  /**
   * Appends {@code tokens} to a batch-1 cache and returns the logits at every new position:
   * [t][vocab]. Short blocks (a draft to verify) run in Java like single tokens.
   */
  public float[][] forward(int[] tokens, KvCache cache) {
    if (javaBlock(tokens, cache)) return decoder.block(tokens, cache, false);
    if (javaOnly && cache.batch() == 1) return javaChunks(tokens, cache, false);
    return run(new int[][] {tokens}, cache, false)[0];
  }

  /**
   * Appends a block of tokens to each of several batch-1 caches and returns each one's logits at
   * every new position, [sequence][t_i][vocab]. The short blocks run in one pass (continuous
   * batching: blocks of different lengths at different positions share every weight read); a long
   * block (a prompt) runs on its own on libtorch, as does everything on the libtorch path.
   */
  public float[][][] forwardBatch(int[][] tokens, KvCache[] caches) {
    return forwardBatch(tokens, caches, null);
  }

  /**
   * {@link #forwardBatch(int[][], KvCache[])} for callers that may go away (a server's requests):
   * {@code stop[i]} is asked before block i starts and between the chunks of a long one
   * ({@link #JAVA_BLOCK} tokens in Java, {@link #PROMPT_CHUNK} on libtorch), so a cancelled or
   * expired request costs at most one chunk more. A stopped block's entry is null and its cache
   * holds only part of the block: the caller must drop or roll it back.
   *
   * @param stop per block, or null: never stop
   */
  public float[][][] forwardBatch(int[][] tokens, KvCache[] caches, BooleanSupplier[] stop) {
    if (tokens.length != caches.length) throw new IllegalArgumentException(tokens.length + " blocks for " + caches.length + " caches");
    if (stop != null && stop.length != tokens.length) throw new IllegalArgumentException(stop.length + " stops for " + tokens.length + " blocks");
    java.util.Set<KvCache> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (KvCache c : caches) {
      if (c.batch() != 1) throw new IllegalArgumentException("batched blocks need batch-1 caches, got batch " + c.batch());
      if (!distinct.add(c)) throw new IllegalArgumentException("a cache appears twice in one batch");
    }
    float[][][] out = new float[tokens.length][][];
    java.util.List<Integer> joint = new java.util.ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].length == 0) throw new IllegalArgumentException("block " + i + " has no tokens");
      BooleanSupplier s = stop == null ? null : stop[i];
      if (s != null && s.getAsBoolean()) continue; // never started
      if (javaBlock(tokens[i], caches[i])) joint.add(i);
      else out[i] = s == null ? forward(tokens[i], caches[i]) : forwardInChunks(tokens[i], caches[i], s);
    }
    if (!joint.isEmpty()) {
      int[][] t = new int[joint.size()][];
      KvCache[] c = new KvCache[joint.size()];
      for (int k = 0; k < t.length; k++) {
        t[k] = tokens[joint.get(k)];
        c[k] = caches[joint.get(k)];
      }
      float[][][] r = decoder.blocks(t, c, false);
      for (int k = 0; k < t.length; k++) out[joint.get(k)] = r[k];
    }
    return out;
  }

  /**
   * A long block in Java, {@link #JAVA_BLOCK} tokens at a time: logits after every token [t][vocab],
   * or after the last one only [1][vocab].
   */
  private float[][] javaChunks(int[] tokens, KvCache cache, boolean lastOnly) {
    return javaChunks(tokens, cache, lastOnly, () -> false);
  }

  /** The same, asking {@code stop} between chunks: null once it says stop. */
  private float[][] javaChunks(int[] tokens, KvCache cache, boolean lastOnly, BooleanSupplier stop) {
    if (tokens.length == 0) throw new IllegalArgumentException("no tokens to run");
    for (int t : tokens) checkToken(t);
    float[][] out = new float[lastOnly ? 1 : tokens.length][];
    for (int from = 0; from < tokens.length; from += JAVA_BLOCK) {
      if (from > 0 && stop.getAsBoolean()) return null;
      int to = Math.min(tokens.length, from + JAVA_BLOCK);
      boolean last = to == tokens.length;
      float[][] rows = decoder.block(java.util.Arrays.copyOfRange(tokens, from, to), cache, lastOnly);
      if (!lastOnly) System.arraycopy(rows, 0, out, from, rows.length);
      else if (last) out[0] = rows[0];
    }
    return out;
  }

  /**
   * A long block of a request that may be stopped: in Java {@link #JAVA_BLOCK} tokens at a time,
   * on libtorch {@link #PROMPT_CHUNK} at a time, asking {@code stop} between chunks; null once it
   * says stop.
   */
  private float[][] forwardInChunks(int[] tokens, KvCache cache, BooleanSupplier stop) {
    if (javaOnly && cache.batch() == 1) return javaChunks(tokens, cache, false, stop);
    float[][] out = new float[tokens.length][];
    for (int from = 0; from < tokens.length; from += PROMPT_CHUNK) {
      if (from > 0 && stop.getAsBoolean()) return null;
      int to = Math.min(tokens.length, from + PROMPT_CHUNK);
      float[][] rows = run(new int[][] {java.util.Arrays.copyOfRange(tokens, from, to)}, cache, false)[0];
      System.arraycopy(rows, 0, out, from, rows.length);
    }
    return out;
  }

  /**
   * Tokens of a long block that libtorch runs between two checks of a stoppable request: one chunk
   * is the most work a request that has gone costs (tens of milliseconds for the bundled System 2).
   */
  public static final int PROMPT_CHUNK = 128;

  /** The longest block the Java decoder takes at once; longer ones (prompts) are cheaper on libtorch. */
  static final int JAVA_BLOCK = 16;

  private boolean javaBlock(int[] tokens, KvCache cache) {
    // a few tokens at batch 1: libtorch's per-op overhead would dominate
    if (decoder == null || cache.batch() != 1 || tokens.length == 0 || tokens.length > JAVA_BLOCK) return false;
    for (int t : tokens) checkToken(t);
    return true;
  }

  /**
   * Appends one block of equally long rows to a cache of the same batch.
   *
   * @return logits [batch][t or 1][vocab]
   */
  public float[][][] run(int[][] tokens, KvCache cache, boolean lastOnly) {
    requireLibtorchWeights("libtorch's forward pass");
    int b = tokens.length;
    int t = tokens[0].length;
    if (t == 0) throw new IllegalArgumentException("no tokens to run");
    long[] flat = new long[b * t];
    for (int i = 0; i < b; i++) {
      if (tokens[i].length != t) throw new IllegalArgumentException("rows of one block must have equal length");
      for (int j = 0; j < t; j++) {
        checkToken(tokens[i][j]);
        flat[i * t + j] = tokens[i][j];
      }
    }
    try (NDManager step = manager.newSubManager()) {
      NDArray ids = step.create(flat, new Shape(b, t));
      NDArray logits = transformer.forward(fused, ids, cache, lastOnly); // [b, t', vocab]
      int rows = (int) logits.getShape().get(1);
      float[] all = logits.toType(DataType.FLOAT32, false).toFloatArray();
      int v = config.vocabSize();
      float[][][] out = new float[b][rows][v];
      for (int i = 0; i < b; i++) {
        for (int r = 0; r < rows; r++) System.arraycopy(all, (i * rows + r) * v, out[i][r], 0, v);
      }
      return out;
    }
  }

  private void requireLibtorchWeights(String what) {
    if (javaOnly) {
      throw new IllegalStateException(what + " needs libtorch's copy of the weights, which this model freed (it was loaded to serve"
          + " from the Java decode path only); load it with LlamaModel.load(dir, format) instead");
    }
  }

  /** Whether every block runs in Java and libtorch's copies of the matrices were freed. */
  public boolean javaOnly() {
    return javaOnly;
  }

  private void checkToken(int id) {
    if (id < 0 || id >= config.vocabSize()) {
      throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + config.vocabSize());
    }
  }

  /**
   * Summed teacher-forced loss (nats) of {@code targets} after {@code inputs}, both [rows, seqLen]
   * row-major, on libtorch's weights: what evaluation over a corpus adds up.
   */
  public double lossSum(long[] inputs, long[] targets, int rows, int seqLen) {
    requireLibtorchWeights("evaluation");
    return transformer.lossSum(fused, manager, inputs, targets, rows, seqLen);
  }

  /**
   * Writes this model as a Hugging Face layout directory: config, weights in {@code dtype}, the
   * generation defaults, and a copy of {@code tokenizerJson} (the model is unusable without it)
   * with its tokenizer_config.json.
   */
  public void save(Path dir, DataType dtype, Path tokenizerJson) throws IOException {
    Files.createDirectories(dir);
    config.write(dir);
    GenerationConfig.defaults(config).write(dir);
    try (NDManager scratch = manager.newSubManager()) {
      Checkpoint.writeWeights(dir, weights(scratch), dtype);
    }
    if (tokenizerJson != null) Checkpoint.copyTokenizer(tokenizerJson, dir);
  }

  @Override
  public void close() {
    if (decoder != null) decoder.close();
    decoder = null; // its views point into memory freed below
    transformer.close();
    manager.close();
  }
}
