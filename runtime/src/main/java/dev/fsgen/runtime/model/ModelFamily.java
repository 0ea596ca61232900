package dev.fsgen.runtime.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The fsgen model family: one tokenizer, one data mixture, sizes spanning ~70× in parameters.
 * Every width is a multiple of 128 or at most 128 and head_dim = hidden / heads, so that
 * independent Llama implementations (Jlama) read the checkpoints without special cases.
 */
public enum ModelFamily {
  XS(32, 128, 2, 2, 1),
  S(64, 256, 2, 2, 1),
  M(128, 384, 3, 4, 2),
  L(256, 768, 4, 4, 2),
  XL(384, 1024, 6, 6, 2);

  public static final int VOCAB = 4096;
  public static final int CONTEXT = 1024;

  private final int hidden;
  private final int intermediate;
  private final int layers;
  private final int heads;
  private final int kvHeads;

  ModelFamily(int hidden, int intermediate, int layers, int heads, int kvHeads) {
    this.hidden = hidden;
    this.intermediate = intermediate;
    this.layers = layers;
    this.heads = heads;
    this.kvHeads = kvHeads;
  }

  public LlamaConfig config(int vocab, int eosId) {
    return new LlamaConfig("llama", vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads, CONTEXT,
        1e-5, 10000.0, true, false, eosId, eosId);
  }

  public String id() {
    return name().toLowerCase();
  }

  public static ModelFamily parse(String s) {
    try {
      return valueOf(s.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown model size '" + s + "'; sizes: " + names());
    }
  }

  public static String names() {
    return Arrays.stream(values()).map(ModelFamily::id).collect(Collectors.joining(", "));
  }

  public static List<ModelFamily> all() {
    return List.of(values());
  }
}
