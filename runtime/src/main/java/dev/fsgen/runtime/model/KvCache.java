package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * Keys and values of every layer for a batch of sequences that share one length. Buffers are
 * preallocated and grow by doubling, so appending a token writes in place instead of
 * concatenating the whole history each step. Rolling back is only moving {@code length}: the
 * stale slots are overwritten by the next append. With a sliding window every position stays here
 * too, and attention skips those the window has left (see {@code Transformer.causalMask}).
 */
public final class KvCache implements AutoCloseable {
  private final LlamaConfig config;
  private final NDManager manager;
  private final int batch;
  private NDArray[] keys; // per layer [batch, kv_heads, capacity, head_dim]
  private NDArray[] values; // per layer [batch, kv_heads, capacity, head_dim]
  // direct views of those buffers' memory for the Java decode step, made on first use and
  // dropped when the buffers are replaced by bigger ones
  private ByteBuffer[] keyViews;
  private ByteBuffer[] valueViews;
  private int capacity;
  private int length;

  KvCache(LlamaConfig config, NDManager parent, int batch, int initialCapacity) {
    if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    this.config = config;
    this.manager = parent.newSubManager();
    this.batch = batch;
    this.capacity = Math.max(1, Math.min(initialCapacity, config.maxPositionEmbeddings()));
    this.keys = new NDArray[config.numLayers()];
    this.values = new NDArray[config.numLayers()];
    this.keyViews = new ByteBuffer[config.numLayers()];
    this.valueViews = new ByteBuffer[config.numLayers()];
    for (int l = 0; l < config.numLayers(); l++) {
      keys[l] = manager.zeros(shape(capacity), DataType.FLOAT32);
      values[l] = manager.zeros(shape(capacity), DataType.FLOAT32);
    }
  }

  private Shape shape(int cap) {
    return new Shape(batch, config.numKvHeads(), cap, config.headDim());
  }

  public int length() {
    return length;
  }

  public int batch() {
    return batch;
  }

  public int capacity() {
    return capacity;
  }

  /** Bytes held by the buffers, for cache accounting. */
  public long bytes() {
    return 2L * config.numLayers() * batch * config.numKvHeads() * (long) capacity * config.headDim() * Float.BYTES;
  }

  /** Forgets everything after the first {@code newLength} positions. */
  public void rollback(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("rollback to " + newLength + " outside [0, " + length + "]");
    }
    length = newLength;
  }

  /** An independent cache with the same contents (for branching a sequence). */
  public KvCache copy() {
    KvCache c = new KvCache(config, manager.getParentManager(), batch, capacity);
    for (int l = 0; l < keys.length; l++) {
      c.keys[l].close();
      c.values[l].close();
      c.keys[l] = keys[l].duplicate();
      c.values[l] = values[l].duplicate();
      c.keys[l].attach(c.manager);
      c.values[l].attach(c.manager);
    }
    c.length = length;
    return c;
  }

  /** Makes room for {@code extra} more positions, doubling the buffers when needed. */
  void reserve(int extra) {
    int need = length + extra;
    if (need > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence of " + need + " tokens exceeds the model's context of "
          + config.maxPositionEmbeddings());
    }
    if (need <= capacity) return;
    int cap = capacity;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, config.maxPositionEmbeddings());
    NDIndex used = new NDIndex(":, :, :{}", length);
    for (int l = 0; l < keys.length; l++) {
      keys[l] = grow(keys[l], cap, used);
      values[l] = grow(values[l], cap, used);
      keyViews[l] = null;
      valueViews[l] = null;
    }
    capacity = cap;
  }

  private NDArray grow(NDArray old, int cap, NDIndex used) {
    NDArray bigger = manager.zeros(shape(cap), DataType.FLOAT32);
    if (length > 0) bigger.set(used, old.get(used));
    old.close();
    return bigger;
  }

  /** Writes k, v [batch, kv_heads, t, head_dim] at positions [length, length + t) of a layer. */
  void write(int layer, NDArray k, NDArray v) {
    NDIndex at = new NDIndex(":, :, {}:{}", length, length + k.getShape().get(2));
    keys[layer].set(at, k);
    values[layer].set(at, v);
  }

  /** Keys of a layer up to {@code end}, as a view owned by {@code step}: [batch, kv_heads, end, head_dim]. */
  NDArray keys(int layer, int end, NDManager step) {
    return keys[layer].get(step, new NDIndex(":, :, :{}", end));
  }

  NDArray values(int layer, int end, NDManager step) {
    return values[layer].get(step, new NDIndex(":, :, :{}", end));
  }

  /** The memory of a layer's keys, written in place by the Java decode step: [batch, kv_heads, capacity, head_dim]. */
  ByteBuffer keyView(int layer) {
    if (keyViews[layer] == null) keyViews[layer] = WeightViews.view(keys[layer]);
    return keyViews[layer];
  }

  ByteBuffer valueView(int layer) {
    if (valueViews[layer] == null) valueViews[layer] = WeightViews.view(values[layer]);
    return valueViews[layer];
  }

  void advance(int t) {
    length += t;
  }

  @Override
  public void close() {
    manager.close();
  }
}
