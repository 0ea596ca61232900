package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.TensorNames.*;

import java.util.LinkedHashMap;
import java.util.Map;

/** The exact set of tensors, with shapes, that a config implies. Loading checks a file against it. */
public final class TensorSpec {
  private TensorSpec() {}

  public static Map<String, long[]> expected(LlamaConfig c) {
    Map<String, long[]> m = new LinkedHashMap<>();
    long h = c.hiddenSize();
    m.put(EMBED, new long[] {c.vocabSize(), h});
    for (int i = 0; i < c.numLayers(); i++) {
      m.put(layer(i, ATTN_NORM), new long[] {h});
      m.put(layer(i, Q), new long[] {c.qDim(), h});
      m.put(layer(i, K), new long[] {c.kvDim(), h});
      m.put(layer(i, V), new long[] {c.kvDim(), h});
      if (c.attentionBias()) {
        m.put(layer(i, Q_BIAS), new long[] {c.qDim()});
        m.put(layer(i, K_BIAS), new long[] {c.kvDim()});
        m.put(layer(i, V_BIAS), new long[] {c.kvDim()});
      }
      m.put(layer(i, O), new long[] {h, c.qDim()});
      m.put(layer(i, MLP_NORM), new long[] {h});
      m.put(layer(i, GATE), new long[] {c.intermediateSize(), h});
      m.put(layer(i, UP), new long[] {c.intermediateSize(), h});
      m.put(layer(i, DOWN), new long[] {h, c.intermediateSize()});
    }
    m.put(FINAL_NORM, new long[] {h});
    if (!c.tieWordEmbeddings()) m.put(LM_HEAD, new long[] {c.vocabSize(), h});
    return m;
  }

  /** Tensors that older exporters leave in a checkpoint and that carry nothing fsgen needs. */
  public static boolean ignorable(String name) {
    return name.endsWith("rotary_emb.inv_freq");
  }
}
