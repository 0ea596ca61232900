package dev.fsgen.runtime.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode steps and short blocks of batch-1 sequences in plain Java with register-blocked SIMD
 * products over packed weights ({@link PackedMatrix}). At batch 1 every weight is read once per
 * pass, and libtorch's per-op overhead (~160 ops per token) costs more than the arithmetic on
 * small models; this does the same math as {@link Transformer} with no per-op cost. It reads and
 * writes the {@link KvCache} in libtorch's memory, so steps here and blocks through the
 * {@link Transformer} interleave freely.
 *
 * <p>Each product may be split over two cores ({@link RowSplit}). Scratch is per call, so
 * different caches may be stepped concurrently (a second concurrent call runs on one core).
 * Loading this class needs the {@code jdk.incubator.vector} module.
 */
final class VectorDecoder {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private final LlamaConfig c;
  private final WeightViews w;
  private final double[] invFreq; // [head_dim / 2]
  private final RowSplit split = new RowSplit("fsgen-decode-helper");
  /**
   * Whether products may use a second core: worth it for large models, while a small model's
   * products are over before a hand-off would pay (see {@link LlamaModel#PARALLEL_BYTES}).
   */
  volatile boolean parallel;

  VectorDecoder(LlamaConfig config, WeightViews weights, boolean parallel) {
    this.c = config;
    this.w = weights;
    this.parallel = parallel;
    int d = c.headDim();
    invFreq = new double[d / 2];
    for (int i = 0; i < d / 2; i++) invFreq[i] = c.ropeInverseFrequency(i);
  }

  /** Appends {@code token} to a batch-1 cache and returns the logits after it: [vocab]. */
  float[] step(int token, KvCache cache) {
    return block(new int[] {token}, cache, true)[0];
  }

  /**
   * Appends a short block of tokens to a batch-1 cache and returns the logits after each of them,
   * [k][vocab], or after the last one only, [1][vocab]. Every weight row is read from memory once
   * for the whole block, so verifying a draft of k tokens costs little more than one step.
   */
  float[][] block(int[] tokens, KvCache cache, boolean lastOnly) {
    return blocks(new int[][] {tokens}, new KvCache[] {cache}, lastOnly)[0];
  }

  /**
   * Appends a block of tokens to each of several batch-1 caches in one pass: the matrix products
   * take every sequence's rows together (each weight is read once for all of them), attention
   * runs per sequence over its own cache. Blocks may differ in length; the caches must differ.
   *
   * @return per sequence, the logits after each of its tokens [k_i][vocab], or after its last one [1][vocab]
   */
  float[][][] blocks(int[][] tokens, KvCache[] caches, boolean lastOnly) {
    boolean spin = parallel; // a one-core model must not keep the helper spinning on the other core
    if (spin) split.begin();
    try {
      return blocksOnTwoCores(tokens, caches, lastOnly);
    } finally {
      if (spin) split.end();
    }
  }

  private float[][][] blocksOnTwoCores(int[][] tokens, KvCache[] caches, boolean lastOnly) {
    int n = tokens.length;
    int h = c.hiddenSize();
    int inter = c.intermediateSize();
    int heads = c.numHeads();
    int kv = c.numKvHeads();
    int d = c.headDim();
    int qkvDim = (heads + 2 * kv) * d;
    // the sequences' rows one after another: row r is token j of sequence seq[r], at position pos[r]
    int rows = 0;
    for (int[] t : tokens) rows += t.length;
    int[] seq = new int[rows];
    int[] pos = new int[rows];
    int maxPositions = 0;
    for (int i = 0, r = 0; i < n; i++) {
      int start = caches[i].length();
      caches[i].reserve(tokens[i].length);
      for (int j = 0; j < tokens[i].length; j++, r++) {
        seq[r] = i;
        pos[r] = start + j;
      }
      maxPositions = Math.max(maxPositions, start + tokens[i].length);
    }

    float[][] cos = new float[rows][d]; // [rows][head_dim], both halves share each angle
    float[][] sin = new float[rows][d];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < d / 2; i++) {
        double angle = pos[r] * invFreq[i];
        cos[r][i] = cos[r][i + d / 2] = (float) Math.cos(angle);
        sin[r][i] = sin[r][i + d / 2] = (float) Math.sin(angle);
      }
    }
    float[][] x = new float[rows][h]; // [rows][hidden] residual stream
    float[][] xn = new float[rows][h]; // [rows][hidden] normed input of a sublayer
    float[][] qkv = new float[rows][qkvDim]; // [rows][(heads + 2·kv)·head_dim]
    float[][] att = new float[rows][heads * d]; // [rows][heads·head_dim]
    float[][] proj = new float[rows][h]; // [rows][hidden] sublayer output
    float[][] gu = new float[rows][2 * inter]; // [rows][2·intermediate]: gate then up
    float[][] act = new float[rows][inter]; // [rows][intermediate]
    float[] scores = new float[maxPositions]; // [positions]

    for (int i = 0, r = 0; i < n; i++) {
      for (int t : tokens[i]) w.embed.row(t, x[r++]);
    }
    int group = heads / kv;
    for (int l = 0; l < w.layers.size(); l++) {
      WeightViews.Layer lw = w.layers.get(l);
      for (int r = 0; r < rows; r++) rmsNorm(x[r], lw.attnNorm(), xn[r]);
      product(lw.qkv(), xn, qkv);
      for (int r = 0; r < rows; r++) {
        if (lw.qkvBias() != null) for (int i = 0; i < qkvDim; i++) qkv[r][i] += lw.qkvBias()[i];
        if (w.qScale != 1f) for (int i = 0; i < heads * d; i++) qkv[r][i] *= w.qScale;
        for (int hh = 0; hh < heads + kv; hh++) rope(qkv[r], hh * d, d, cos[r], sin[r]);
        // every block's keys and values go in first: token j then attends to positions <= its own
        KvCache cache = caches[seq[r]];
        int cap = cache.capacity();
        FloatBuffer kf = cache.keyView(l).asFloatBuffer(); // [1, kv, capacity, head_dim]
        FloatBuffer vf = cache.valueView(l).asFloatBuffer();
        for (int q = 0; q < kv; q++) {
          kf.put((q * cap + pos[r]) * d, qkv[r], (heads + q) * d, d);
          vf.put((q * cap + pos[r]) * d, qkv[r], (heads + kv + q) * d, d);
        }
      }
      for (int r = 0; r < rows; r++) {
        KvCache cache = caches[seq[r]];
        ByteBuffer keys = cache.keyView(l);
        ByteBuffer values = cache.valueView(l);
        int cap = cache.capacity();
        // a sliding window skips the keys before its first position; the cache keeps them (see Transformer.causalMask)
        int from = c.firstVisible(pos[r]);
        for (int hh = 0; hh < heads; hh++) {
          attend(qkv[r], hh * d, keys, values, ((hh / group) * cap + from) * d, pos[r] + 1 - from, d, scores, att[r]);
        }
      }
      product(lw.o(), att, proj);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < h; i++) x[r][i] += proj[r][i];
        rmsNorm(x[r], lw.mlpNorm(), xn[r]);
      }
      product(lw.gateUp(), xn, gu);
      for (int r = 0; r < rows; r++) silu(gu[r], inter, act[r]);
      product(lw.down(), act, proj);
      for (int r = 0; r < rows; r++) for (int i = 0; i < h; i++) x[r][i] += proj[r][i];
    }
    for (int i = 0; i < n; i++) caches[i].advance(tokens[i].length);

    // the rows whose logits are wanted: all, or each sequence's last
    int[] want = new int[lastOnly ? n : rows];
    for (int i = 0, r = 0, k = 0; i < n; i++) {
      for (int j = 0; j < tokens[i].length; j++, r++) {
        if (!lastOnly || j == tokens[i].length - 1) want[k++] = r;
      }
    }
    float[][] normed = new float[want.length][h];
    for (int k = 0; k < want.length; k++) rmsNorm(x[want[k]], w.finalNorm, normed[k]);
    float[][] logits = new float[want.length][c.vocabSize()]; // [wanted rows][vocab]
    product(w.head, normed, logits);
    float[][][] out = new float[n][][];
    for (int i = 0, k = 0; i < n; i++) {
      int m = lastOnly ? 1 : tokens[i].length;
      out[i] = java.util.Arrays.copyOfRange(logits, k, k + m);
      k += m;
    }
    return out;
  }

  /** act = silu(gate) · up over [gate | up] of length 2·n: SwiGLU's activation, in SIMD lanes. */
  private static void silu(float[] gateUp, int n, float[] act) {
    int bound = S.loopBound(n);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector g = FloatVector.fromArray(S, gateUp, i);
      FloatVector sig = g.neg().lanewise(VectorOperators.EXP).add(1f);
      g.div(sig).mul(FloatVector.fromArray(S, gateUp, n + i)).intoArray(act, i);
    }
    for (; i < n; i++) {
      float g = gateUp[i];
      act[i] = g / (1f + (float) Math.exp(-g)) * gateUp[n + i];
    }
  }

  /** x[t] = exp(x[t] - shift) for t < n, in SIMD lanes; returns the sum. */
  private static float expShifted(float[] x, int n, float shift) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector e = FloatVector.fromArray(S, x, i).sub(shift).lanewise(VectorOperators.EXP);
      e.intoArray(x, i);
      acc = acc.add(e);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      x[i] = (float) Math.exp(x[i] - shift);
      sum += x[i];
    }
    return sum;
  }

  private void rmsNorm(float[] x, float[] weight, float[] out) {
    int n = x.length;
    float ss = 0;
    for (int i = 0; i < n; i++) ss += x[i] * x[i];
    float inv = (float) (1.0 / Math.sqrt(ss / n + c.rmsNormEps()));
    for (int i = 0; i < n; i++) out[i] = x[i] * inv * weight[i];
  }

  /** HF rotate_half rotary embedding of one head at {@code off}, in place. */
  private static void rope(float[] v, int off, int d, float[] cos, float[] sin) {
    int half = d / 2;
    for (int i = 0; i < half; i++) {
      float a = v[off + i];
      float b = v[off + i + half];
      v[off + i] = a * cos[i] - b * sin[i];
      v[off + i + half] = b * cos[i + half] + a * sin[i + half];
    }
  }

  /**
   * Softmax attention of one query head over {@code n} cached positions.
   *
   * @param q query [head_dim] at {@code qOff} (pre-scaled); the output goes to the same offset of {@code out}
   * @param keys cache of one layer; this head's kv head starts at float {@code base}: [capacity, head_dim]
   */
  private static void attend(float[] q, int qOff, ByteBuffer keys, ByteBuffer values, int base, int n, int d,
                             float[] scores, float[] out) {
    float max = Float.NEGATIVE_INFINITY;
    for (int t = 0; t < n; t++) {
      float s = dot(q, qOff, keys, base + t * d, d);
      scores[t] = s;
      if (s > max) max = s;
    }
    float sum = expShifted(scores, n, max);
    Arrays.fill(out, qOff, qOff + d, 0f); // out is reused by every layer
    int bound = S.loopBound(d);
    for (int t = 0; t < n; t++) {
      float p = scores[t] / sum;
      FloatVector pv = FloatVector.broadcast(S, p);
      int row = (base + t * d) * Float.BYTES;
      int i = 0;
      for (; i < bound; i += S.length()) {
        FloatVector.fromByteBuffer(S, values, row + i * Float.BYTES, NATIVE)
            .fma(pv, FloatVector.fromArray(S, out, qOff + i))
            .intoArray(out, qOff + i);
      }
      for (; i < d; i++) out[qOff + i] += p * values.getFloat(row + i * Float.BYTES);
    }
  }

  private static float dot(float[] a, int aOff, ByteBuffer b, int bOff, int n) {
    int bound = S.loopBound(n);
    int byteOff = bOff * Float.BYTES;
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i < bound; i += S.length()) {
      acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromByteBuffer(S, b, byteOff + i * Float.BYTES, NATIVE), acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) s += a[aOff + i] * b.getFloat(byteOff + i * Float.BYTES);
    return s;
  }

  /**
   * ys = xs · Wᵀ: xs [rows][in], ys [rows][out]. The matrix's panels are shared between the caller
   * and the helper core in chunks; each panel is read once for all rows.
   */
  private void product(PackedMatrix m, float[][] xs, float[][] ys) {
    if (!parallel) {
      m.multiply(xs, ys);
      return;
    }
    int chunk = Math.max(1, m.panels / 16); // 16 chunks: a late helper costs at most a few
    split.run(m.panels, chunk, m.macs() * xs.length, (from, to) -> m.multiply(xs, ys, from, to));
  }

  /**
   * Every matrix product of one pass over {@code rows} rows, nothing else (no attention, norms or
   * cache): for timing the products on their own. The inputs are zeros; a product's time does not
   * depend on the values.
   */
  Runnable products(int rows) {
    float[][] xh = new float[rows][c.hiddenSize()];
    float[][] xa = new float[rows][c.numHeads() * c.headDim()];
    float[][] xi = new float[rows][c.intermediateSize()];
    WeightViews.Layer first = w.layers.get(0);
    float[][] yq = new float[rows][first.qkv().out];
    float[][] yh = new float[rows][c.hiddenSize()];
    float[][] yg = new float[rows][first.gateUp().out];
    float[][] yv = new float[rows][c.vocabSize()];
    return () -> {
      boolean spin = parallel;
      if (spin) split.begin();
      try {
        for (WeightViews.Layer l : w.layers) {
          product(l.qkv(), xh, yq);
          product(l.o(), xa, yh);
          product(l.gateUp(), xh, yg);
          product(l.down(), xi, yh);
        }
        product(w.head, xh, yv);
      } finally {
        if (spin) split.end();
      }
    };
  }

  /** Multiply-adds of one row through every product. */
  long macsPerRow() {
    return w.matrices().stream().mapToLong(PackedMatrix::macs).sum();
  }

  /** Stops the helper thread. */
  void close() {
    split.close();
  }
}
