package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.TensorNames.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights in the orientation the forward pass wants: q/k/v fused into one projection and
 * gate/up into another (fewer ops per token: per-op overhead, not FLOPs, dominates small models),
 * each transposed to [in, out], and the attention scale 1/sqrt(head_dim) folded into q. Built
 * from the Hugging Face tensors with differentiable ops, so training and inference share one
 * forward pass: the trainer rebuilds this view every step, inference builds it once.
 *
 * @param matrices every array this view made for the projections (the fused matrices, their
 *     transposed views and the intermediates they hold), so that they can be freed together
 */
public record FusedWeights(NDArray embed, List<Layer> layers, NDArray finalNorm, NDArray lmHeadT, List<NDArray> matrices) {

  /**
   * @param qkvT [hidden, (heads + 2·kv_heads)·head_dim], q columns pre-scaled
   * @param qkvBias [(heads + 2·kv_heads)·head_dim] or null
   * @param oT [heads·head_dim, hidden]
   * @param gateUpT [hidden, 2·intermediate]
   * @param downT [intermediate, hidden]
   */
  public record Layer(NDArray attnNorm, NDArray qkvT, NDArray qkvBias, NDArray oT, NDArray mlpNorm,
                      NDArray gateUpT, NDArray downT) {}

  /**
   * Fuses {@code w} into arrays owned by {@code owner}: ops land in their first operand's manager,
   * which for parameters is long-lived, so every derived array is attached explicitly.
   */
  public static FusedWeights of(LlamaConfig c, Map<String, NDArray> w, NDManager owner) {
    float scale = (float) (1.0 / Math.sqrt(c.headDim()));
    List<Layer> layers = new ArrayList<>();
    List<NDArray> matrices = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      NDArray q = own(owner, w.get(layer(i, Q)).mul(scale)); // [q_dim, hidden]
      NDArray qkv = own(owner, NDArrays.concat(new NDList(q, w.get(layer(i, K)), w.get(layer(i, V))), 0)); // [q+2kv, hidden]
      matrices.add(q);
      matrices.add(qkv);
      NDArray bias = null;
      if (c.attentionBias()) {
        NDArray qb = own(owner, w.get(layer(i, Q_BIAS)).mul(scale));
        bias = own(owner, NDArrays.concat(new NDList(qb, w.get(layer(i, K_BIAS)), w.get(layer(i, V_BIAS))), 0));
      }
      NDArray gateUp = own(owner, NDArrays.concat(new NDList(w.get(layer(i, GATE)), w.get(layer(i, UP))), 0)); // [2·inter, hidden]
      matrices.add(gateUp);
      matrices.add(w.get(layer(i, O))); // o and down are views of these
      matrices.add(w.get(layer(i, DOWN)));
      layers.add(new Layer(
          w.get(layer(i, ATTN_NORM)),
          own(owner, qkv.transpose()),
          bias,
          own(owner, w.get(layer(i, O)).transpose()),
          w.get(layer(i, MLP_NORM)),
          own(owner, gateUp.transpose()),
          own(owner, w.get(layer(i, DOWN)).transpose())));
    }
    NDArray head = c.tieWordEmbeddings() ? w.get(EMBED) : w.get(LM_HEAD); // [vocab, hidden]
    for (Layer l : layers) matrices.addAll(List.of(l.qkvT(), l.oT(), l.gateUpT(), l.downT()));
    NDArray headT = own(owner, head.transpose());
    matrices.add(headT);
    if (!c.tieWordEmbeddings()) matrices.add(head);
    return new FusedWeights(w.get(EMBED), layers, w.get(FINAL_NORM), headT, matrices);
  }

  /**
   * Fuses for inference: like {@link #of}, then closes the Hugging Face tensors that were copied
   * into a fused array, so that a loaded model holds its weights once, not twice.
   */
  public static FusedWeights forInference(LlamaConfig c, Map<String, NDArray> w, NDManager owner) {
    FusedWeights f = of(c, w, owner);
    for (Map.Entry<String, NDArray> e : w.entrySet()) {
      String n = e.getKey();
      if (n.endsWith(Q) || n.endsWith(K) || n.endsWith(V) || n.endsWith(GATE) || n.endsWith(UP) || n.endsWith(".bias")) {
        e.getValue().close();
      }
    }
    return f;
  }

  /**
   * The Hugging Face tensors again, as fresh copies owned by {@code into} (for saving a model or
   * training on from it), in the order of {@link TensorSpec#expected}.
   */
  public Map<String, NDArray> unfuse(LlamaConfig c, NDManager into) {
    float scale = (float) (1.0 / Math.sqrt(c.headDim()));
    int q = c.qDim();
    int kv = c.kvDim();
    int inter = c.intermediateSize();
    Map<String, NDArray> w = new LinkedHashMap<>();
    w.put(EMBED, embed.duplicate());
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      NDArray qkv = l.qkvT().transpose(); // [q+2kv, hidden] view
      NDArray gateUp = l.gateUpT().transpose(); // [2·inter, hidden] view
      w.put(layer(i, ATTN_NORM), l.attnNorm().duplicate());
      w.put(layer(i, Q), qkv.get(new NDIndex(":{}", q)).div(scale));
      w.put(layer(i, K), qkv.get(new NDIndex("{}:{}", q, q + kv)).duplicate());
      w.put(layer(i, V), qkv.get(new NDIndex("{}:", q + kv)).duplicate());
      if (l.qkvBias() != null) {
        w.put(layer(i, Q_BIAS), l.qkvBias().get(new NDIndex(":{}", q)).div(scale));
        w.put(layer(i, K_BIAS), l.qkvBias().get(new NDIndex("{}:{}", q, q + kv)).duplicate());
        w.put(layer(i, V_BIAS), l.qkvBias().get(new NDIndex("{}:", q + kv)).duplicate());
      }
      w.put(layer(i, O), l.oT().transpose().duplicate());
      w.put(layer(i, MLP_NORM), l.mlpNorm().duplicate());
      w.put(layer(i, GATE), gateUp.get(new NDIndex(":{}", inter)).duplicate());
      w.put(layer(i, UP), gateUp.get(new NDIndex("{}:", inter)).duplicate());
      w.put(layer(i, DOWN), l.downT().transpose().duplicate());
      qkv.close();
      gateUp.close();
    }
    w.put(FINAL_NORM, finalNorm.duplicate());
    if (!c.tieWordEmbeddings()) w.put(LM_HEAD, lmHeadT.transpose().duplicate());
    Map<String, NDArray> ordered = new LinkedHashMap<>();
    for (String name : TensorSpec.expected(c).keySet()) {
      NDArray a = w.get(name);
      a.attach(into);
      a.setName(name);
      ordered.put(name, a);
    }
    return ordered;
  }

  /**
   * Frees the matrices (not the embedding, norms or biases) once the Java decode path holds its
   * own packed copies: libtorch can then no longer run a forward pass on these weights.
   */
  void closeMatrices() {
    for (NDArray a : matrices) a.close(); // a tied head is a view: the embedding keeps its storage
  }

  private static NDArray own(NDManager owner, NDArray a) {
    a.attach(owner);
    return a;
  }
}
