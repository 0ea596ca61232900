package dev.fsgen.runtime.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One decode step of a batch-1 sequence in plain Java with SIMD matrix-vector products. At batch
 * 1 every weight is read once per token, and libtorch's per-op overhead (~160 ops per token)
 * costs more than the arithmetic on small models; this does the same math as {@link Transformer}
 * with no per-op cost. It reads the weights and reads/writes the {@link KvCache} in libtorch's
 * memory, so steps here and blocks through the {@link Transformer} interleave freely.
 *
 * <p>Each matrix product is split over two cores ({@link RowSplit}). Scratch is per call, so
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

  VectorDecoder(LlamaConfig config, WeightViews weights) {
    this.c = config;
    this.w = weights;
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
    split.begin();
    try {
      return blockOnTwoCores(tokens, cache, lastOnly);
    } finally {
      split.end();
    }
  }

  private float[][] blockOnTwoCores(int[] tokens, KvCache cache, boolean lastOnly) {
    int k = tokens.length;
    int h = c.hiddenSize();
    int inter = c.intermediateSize();
    int heads = c.numHeads();
    int kv = c.numKvHeads();
    int d = c.headDim();
    int qkvDim = (heads + 2 * kv) * d;
    int pos = cache.length();
    cache.reserve(k);
    int cap = cache.capacity();

    float[][] cos = new float[k][d]; // [k][head_dim], both halves share each angle
    float[][] sin = new float[k][d];
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < d / 2; i++) {
        double angle = (pos + j) * invFreq[i];
        cos[j][i] = cos[j][i + d / 2] = (float) Math.cos(angle);
        sin[j][i] = sin[j][i + d / 2] = (float) Math.sin(angle);
      }
    }
    float[][] x = new float[k][h]; // [k][hidden] residual stream
    float[][] xn = new float[k][h]; // [k][hidden] normed input of a sublayer
    float[][] qkv = new float[k][qkvDim]; // [k][(heads + 2·kv)·head_dim]
    float[][] att = new float[k][heads * d]; // [k][heads·head_dim]
    float[][] proj = new float[k][h]; // [k][hidden] sublayer output
    float[][] gu = new float[k][2 * inter]; // [k][2·intermediate]: gate then up
    float[][] act = new float[k][inter]; // [k][intermediate]
    float[] scores = new float[pos + k]; // [positions]

    for (int j = 0; j < k; j++) w.embed.asFloatBuffer().get(tokens[j] * h, x[j], 0, h);
    for (int l = 0; l < w.layers.size(); l++) {
      WeightViews.Layer lw = w.layers.get(l);
      for (int j = 0; j < k; j++) rmsNorm(x[j], lw.attnNorm(), xn[j]);
      product(lw.qkv(), qkvDim, xn, h, qkv);
      ByteBuffer keys = cache.keyView(l); // [1, kv, capacity, head_dim]
      ByteBuffer values = cache.valueView(l);
      FloatBuffer kf = keys.asFloatBuffer();
      FloatBuffer vf = values.asFloatBuffer();
      for (int j = 0; j < k; j++) {
        if (lw.qkvBias() != null) for (int i = 0; i < qkvDim; i++) qkv[j][i] += lw.qkvBias()[i];
        for (int hh = 0; hh < heads + kv; hh++) rope(qkv[j], hh * d, d, cos[j], sin[j]);
        // the whole block's keys and values go in first: token j then attends to positions <= pos + j
        for (int q = 0; q < kv; q++) {
          kf.put((q * cap + pos + j) * d, qkv[j], (heads + q) * d, d);
          vf.put((q * cap + pos + j) * d, qkv[j], (heads + kv + q) * d, d);
        }
      }
      int group = heads / kv;
      for (int j = 0; j < k; j++) {
        for (int hh = 0; hh < heads; hh++) {
          attend(qkv[j], hh * d, keys, values, (hh / group) * cap * d, pos + j + 1, d, scores, att[j]);
        }
      }
      product(lw.o(), h, att, heads * d, proj);
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < h; i++) x[j][i] += proj[j][i];
        rmsNorm(x[j], lw.mlpNorm(), xn[j]);
      }
      product(lw.gateUp(), 2 * inter, xn, h, gu);
      for (int j = 0; j < k; j++) silu(gu[j], inter, act[j]);
      product(lw.down(), h, act, inter, proj);
      for (int j = 0; j < k; j++) for (int i = 0; i < h; i++) x[j][i] += proj[j][i];
    }
    cache.advance(k);
    int first = lastOnly ? k - 1 : 0;
    float[][] normed = new float[k - first][h];
    for (int j = first; j < k; j++) rmsNorm(x[j], w.finalNorm, normed[j - first]);
    float[][] logits = new float[k - first][c.vocabSize()]; // [rows][vocab]
    product(w.head, c.vocabSize(), normed, h, logits);
    return logits;
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
   * y[out] = W[out, in] · x[in], one row at a time with four independent accumulators. Reading
   * one row at a time keeps a single sequential stream through the weights: with four rows per
   * pass, loads through a ByteBuffer ran at half the speed once the weights no longer fit in the
   * cache (an 11 M model: 3.4 ms per token against 1.6 ms), while they were only ~10% faster on a
   * 1 M model whose weights do fit.
   */
  static void matVec(ByteBuffer w, int out, float[] x, int in, float[] y) {
    matVecRows(w, 0, out, x, in, y);
  }

  static void matVecRows(ByteBuffer w, int rowFrom, int rowTo, float[] x, int in, float[] y) {
    int bound = S.loopBound(in);
    int lanes = S.length();
    for (int o = rowFrom; o < rowTo; o++) {
      int row = o * in * Float.BYTES;
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      int i = 0;
      for (; i + 4 * lanes <= bound; i += 4 * lanes) {
        int b = row + i * Float.BYTES;
        s0 = FloatVector.fromByteBuffer(S, w, b, NATIVE).fma(FloatVector.fromArray(S, x, i), s0);
        s1 = FloatVector.fromByteBuffer(S, w, b + lanes * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, i + lanes), s1);
        s2 = FloatVector.fromByteBuffer(S, w, b + 2 * lanes * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, i + 2 * lanes), s2);
        s3 = FloatVector.fromByteBuffer(S, w, b + 3 * lanes * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, i + 3 * lanes), s3);
      }
      for (; i < bound; i += lanes) {
        s0 = FloatVector.fromByteBuffer(S, w, row + i * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, i), s0);
      }
      float r = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
      for (; i < in; i++) r += w.getFloat(row + i * Float.BYTES) * x[i];
      y[o] = r;
    }
  }

  /**
   * ys[j] = W · xs[j] for every j: W[out, in], xs [k][in], ys [k][out]. Tokens go through the
   * weights four at a time (one weight load feeds four products); a last single token takes the
   * one-token path instead of three wasted copies.
   */
  static void matMat(ByteBuffer w, int out, float[][] xs, int in, float[][] ys) {
    matMatRows(w, 0, out, xs, in, ys);
  }

  /** {@link #matMat} over two cores: the rows are split between the caller and the helper. */
  private void product(ByteBuffer w, int out, float[][] xs, int in, float[][] ys) {
    split.run(out, (long) out * in * xs.length, (from, to) -> matMatRows(w, from, to, xs, in, ys));
  }

  static void matMatRows(ByteBuffer w, int rowFrom, int rowTo, float[][] xs, int in, float[][] ys) {
    int k = xs.length;
    int g = 0;
    for (; k - g >= 2; g += 4) {
      int last = Math.min(g + 3, k - 1); // a short group repeats its last token and drops the copies
      matMat4(w, rowFrom, rowTo, in, xs[g], xs[Math.min(g + 1, last)], xs[Math.min(g + 2, last)], xs[last],
          ys[g], g + 1 <= last ? ys[g + 1] : null, g + 2 <= last ? ys[g + 2] : null, g + 3 <= last ? ys[g + 3] : null);
    }
    if (g < k) matVecRows(w, rowFrom, rowTo, xs[g], in, ys[g]);
  }

  private static void matMat4(ByteBuffer w, int rowFrom, int rowTo, int in, float[] x0, float[] x1, float[] x2, float[] x3,
                              float[] y0, float[] y1, float[] y2, float[] y3) {
    int bound = S.loopBound(in);
    int lanes = S.length();
    for (int o = rowFrom; o < rowTo; o++) {
      int row = o * in * Float.BYTES;
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      int i = 0;
      for (; i < bound; i += lanes) {
        FloatVector wv = FloatVector.fromByteBuffer(S, w, row + i * Float.BYTES, NATIVE);
        s0 = wv.fma(FloatVector.fromArray(S, x0, i), s0);
        s1 = wv.fma(FloatVector.fromArray(S, x1, i), s1);
        s2 = wv.fma(FloatVector.fromArray(S, x2, i), s2);
        s3 = wv.fma(FloatVector.fromArray(S, x3, i), s3);
      }
      float r0 = s0.reduceLanes(VectorOperators.ADD);
      float r1 = s1.reduceLanes(VectorOperators.ADD);
      float r2 = s2.reduceLanes(VectorOperators.ADD);
      float r3 = s3.reduceLanes(VectorOperators.ADD);
      for (; i < in; i++) {
        float wi = w.getFloat(row + i * Float.BYTES);
        r0 += wi * x0[i];
        r1 += wi * x1[i];
        r2 += wi * x2[i];
        r3 += wi * x3[i];
      }
      y0[o] = r0;
      if (y1 != null) y1[o] = r1;
      if (y2 != null) y2[o] = r2;
      if (y3 != null) y3[o] = r3;
    }
  }

  /** Stops the helper thread. */
  void close() {
    split.close();
  }
}
