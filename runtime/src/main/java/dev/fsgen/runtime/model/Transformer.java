package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The Llama decoder math (RMSNorm, rotary positions, grouped-query attention, SwiGLU), shared by
 * training (no cache, full causal block) and inference (a block of new tokens on top of a cache).
 *
 * <p>Every op is written with a step-local operand first: DJL puts a result in its first
 * operand's manager, and the step's manager is closed after each call.
 */
public final class Transformer implements AutoCloseable {
  /**
   * Score added at masked positions: exp(MASKED - max) is exactly 0 in fp32, like -inf in the
   * forward pass, but it keeps every intermediate of the backward pass finite.
   */
  static final float MASKED = -1e9f;
  private final LlamaConfig c;
  private final NDManager manager;
  private final NDArray cos; // [max_positions, 1, head_dim]
  private final NDArray sin; // [max_positions, 1, head_dim]
  private final NDArray rotateHalf; // [head_dim, head_dim]: x·R = cat(-x2, x1), HF's rotate_half

  public Transformer(LlamaConfig config, NDManager parent) {
    this.c = config;
    this.manager = parent.newSubManager();
    int d = c.headDim();
    int half = d / 2;
    int n = c.maxPositionEmbeddings();
    float[] cosv = new float[n * d];
    float[] sinv = new float[n * d];
    for (int p = 0; p < n; p++) {
      for (int i = 0; i < half; i++) {
        // angles duplicated across both halves of the head (HF rotate_half)
        double angle = p * c.ropeInverseFrequency(i);
        float co = (float) Math.cos(angle);
        float si = (float) Math.sin(angle);
        cosv[p * d + i] = co;
        cosv[p * d + i + half] = co;
        sinv[p * d + i] = si;
        sinv[p * d + i + half] = si;
      }
    }
    cos = manager.create(cosv, new Shape(n, 1, d));
    sin = manager.create(sinv, new Shape(n, 1, d));
    float[] r = new float[d * d];
    for (int j = 0; j < half; j++) {
      r[(j + half) * d + j] = -1f; // out[j] = -x[j + half]
      r[j * d + j + half] = 1f; // out[j + half] = x[j]
    }
    rotateHalf = manager.create(r, new Shape(d, d));
  }

  public LlamaConfig config() {
    return c;
  }

  /**
   * Runs a block of new tokens.
   *
   * @param w the weights (fused view)
   * @param tokens [batch, t] int64, owned by the step manager
   * @param cache keys/values of the earlier positions, extended in place; null for a
   *     self-contained causal block (training)
   * @param lastOnly compute logits only for the last position (prefill), else for every position
   *     (verification needs them all)
   * @return logits [batch, t or 1, vocab], owned by the step manager
   */
  public NDArray forward(FusedWeights w, NDArray tokens, KvCache cache, boolean lastOnly) {
    NDManager step = tokens.getManager();
    long b = tokens.getShape().get(0);
    int t = (int) tokens.getShape().get(1);
    int start = cache == null ? 0 : cache.length();
    int end = start + t;
    if (end > c.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence of " + end + " tokens exceeds the model's context of " + c.maxPositionEmbeddings());
    }
    if (cache != null) {
      if (cache.batch() != b) throw new IllegalArgumentException("cache batch " + cache.batch() + " != token batch " + b);
      cache.reserve(t);
    }
    NDArray cosT = cos.get(step, new NDIndex("{}:{}", start, end)); // [t, 1, head_dim]
    NDArray sinT = sin.get(step, new NDIndex("{}:{}", start, end));
    // one new position sees every key unless a sliding window has left the oldest ones behind
    NDArray mask = t == 1 && c.firstVisible(start) == 0 ? null : causalMask(step, t, start);

    NDArray h = w.embed().get(tokens); // [batch, t, hidden]
    h.attach(step);
    for (int l = 0; l < w.layers().size(); l++) {
      FusedWeights.Layer lw = w.layers().get(l);
      h = h.add(attention(l, lw, rmsNorm(h, lw.attnNorm()), cosT, sinT, mask, cache, b, t, start, end));
      h = h.add(mlp(lw, rmsNorm(h, lw.mlpNorm())));
    }
    if (cache != null) cache.advance(t);
    if (lastOnly && t > 1) h = h.get(new NDIndex(":, -1:, :"));
    return rmsNorm(h, w.finalNorm()).matMul(w.lmHeadT()); // [batch, t, vocab]
  }

  /**
   * Summed teacher-forced loss (nats) of each target after the inputs up to it: one self-contained
   * causal block, its arrays freed with a sub-manager of {@code parent}.
   *
   * @param inputs [rows, seqLen] token ids, row-major
   * @param targets [rows, seqLen] the next token at each position, row-major
   */
  public double lossSum(FusedWeights w, NDManager parent, long[] inputs, long[] targets, int rows, int seqLen) {
    try (NDManager step = parent.newSubManager()) {
      NDArray x = step.create(inputs, new Shape(rows, seqLen));
      NDArray y = step.create(targets, new Shape(rows, seqLen, 1));
      NDArray logits = forward(w, x, null, false); // [rows, seq, vocab]
      return logits.logSoftmax(-1).gather(y, -1).sum().neg().getFloat();
    }
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray inv = x.square().mean(new int[] {-1}, true).add((float) c.rmsNormEps()).pow(-0.5f);
    return x.mul(inv).mul(weight);
  }

  private NDArray attention(int layer, FusedWeights.Layer lw, NDArray x, NDArray cosT, NDArray sinT, NDArray mask,
                            KvCache cache, long b, int t, int start, int end) {
    int heads = c.numHeads();
    int kv = c.numKvHeads();
    int d = c.headDim();
    int group = heads / kv;
    NDArray qkv = x.matMul(lw.qkvT()); // [batch, t, (heads + 2·kv)·d]
    if (lw.qkvBias() != null) qkv = qkv.add(lw.qkvBias());
    qkv = qkv.reshape(b, t, heads + 2L * kv, d);
    NDList parts = qkv.split(new long[] {heads + kv}, 2); // q and k rotate together, v does not
    NDArray qk = parts.get(0); // [batch, t, heads + kv, d]
    qk = qk.mul(cosT).add(qk.matMul(rotateHalf).mul(sinT));
    NDList qAndK = qk.split(new long[] {heads}, 2);
    NDArray q = qAndK.get(0); // [batch, t, heads, d]
    NDArray k = qAndK.get(1); // [batch, t, kv, d]
    NDArray v = parts.get(1); // [batch, t, kv, d]
    if (t == 1) {
      // one position: [b, 1, n, d] and [b, n, 1, d] are the same memory, no transpose needed
      q = q.reshape(b, kv, group, d);
      k = k.reshape(b, kv, 1, d);
      v = v.reshape(b, kv, 1, d);
    } else {
      // heads are ordered kv-major (head h reads kv head h / group), so [b, kv, group·t, d] groups
      // the queries that share one key/value head: no repeated keys in memory
      q = q.transpose(0, 2, 1, 3).reshape(b, kv, (long) group * t, d);
      k = k.transpose(0, 2, 1, 3);
      v = v.transpose(0, 2, 1, 3);
    }
    NDArray keys;
    NDArray values;
    if (cache == null) {
      keys = k;
      values = v;
    } else {
      cache.write(layer, k, v);
      keys = cache.keys(layer, end, x.getManager()); // [batch, kv, end, d]
      values = cache.values(layer, end, x.getManager());
    }
    NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2)); // [batch, kv, group·t, end]; q is pre-scaled
    if (mask != null) scores = scores.add(mask);
    NDArray out = scores.softmax(-1).matMul(values); // [batch, kv, group·t, d]
    if (t == 1) {
      out = out.reshape(b, 1, (long) heads * d);
    } else {
      out = out.reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
    }
    return out.matMul(lw.oT()); // [batch, t, hidden]
  }

  private NDArray mlp(FusedWeights.Layer lw, NDArray x) {
    NDList gateUp = x.matMul(lw.gateUpT()).split(2, 2); // 2 × [batch, t, inter]
    NDArray gate = gateUp.get(0);
    return gate.mul(Activation.sigmoid(gate)).mul(gateUp.get(1)).matMul(lw.downT());
  }

  /**
   * Additive mask [group·t, start + t]: row (j, i) is query i of group member j at position
   * start + i, which may see keys {@link LlamaConfig#firstVisible}(start + i)..start + i. With a
   * sliding window the cache keeps every position and the keys that fell out of the window are
   * masked here: the cache is rolled back and branched by length alone, which a ring buffer
   * overwriting old slots would break, and fsgen's contexts are short enough to keep them.
   */
  private NDArray causalMask(NDManager step, int t, int start) {
    int group = c.numHeads() / c.numKvHeads();
    int s = start + t;
    float[] m = new float[group * t * s];
    for (int j = 0; j < group; j++) {
      for (int i = 0; i < t; i++) {
        int row = (j * t + i) * s;
        for (int col = 0; col < c.firstVisible(start + i); col++) m[row + col] = MASKED;
        for (int col = start + i + 1; col < s; col++) m[row + col] = MASKED;
      }
    }
    return step.create(m, new Shape(group * t, s)).toType(DataType.FLOAT32, false);
  }

  @Override
  public void close() {
    manager.close();
  }
}
