package dev.fsgen.runtime.model;

import java.util.Locale;

/**
 * How the Java decode path holds the weights of its matrix products.
 *
 * <p>{@link #BF16} halves the bytes every decode step reads (the bundled System 2 then fits the
 * last-level cache, and a model that does not reads half as much from memory), widened to fp32 in
 * the kernel by a 16-bit shift; products accumulate in fp32. The model's fp32 weights are rounded
 * to the same bf16 values in place, so libtorch's prompt passes and the Java steps compute one
 * function. {@link #FP32} keeps the checkpoint's values exactly (comparisons with other
 * implementations, conversions, training).
 */
public enum WeightFormat {
  FP32,
  BF16;

  /** The property inference entry points set (serve, demo, generate, bench): {@code fp32} or {@code bf16}. */
  public static final String PROPERTY = "fsgen.weights";

  /** The format named by {@link #PROPERTY}; fp32 when it is unset, so nothing is rounded unasked. */
  public static WeightFormat configured() {
    String v = System.getProperty(PROPERTY);
    return v == null || v.isBlank() ? FP32 : parse(v);
  }

  /**
   * Sets the process's weight format from an option's value (null: bf16, the serving default);
   * models loaded afterwards with {@link LlamaModel#load(java.nio.file.Path)} use it.
   */
  public static WeightFormat configure(String name) {
    WeightFormat f = name == null ? BF16 : parse(name);
    System.setProperty(PROPERTY, f.toString());
    return f;
  }

  public static WeightFormat parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "f32" -> FP32;
      case "bf16", "bfloat16" -> BF16;
      default -> throw new IllegalArgumentException("weight format must be fp32 or bf16, got '" + name + "'");
    };
  }

  /** Bytes per weight as the kernels read it. */
  public int bytes() {
    return this == BF16 ? 2 : 4;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
