package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.TensorNames.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model that computes another model's logits at a larger model's cost: the time of a matrix
 * product does not depend on the weights' values, so the source model is widened (a larger
 * intermediate size, the extra gate/up rows random and the matching down-projection columns zero)
 * and deepened (extra layers whose attention output and down projections are zero, so each adds
 * nothing to the residual stream). Every step then reads and multiplies the larger model's weights
 * and still gives the source model's tokens: a System 2 whose step is bound by memory, paired with
 * the same System 1 at the same acceptance. It is a cost profile, not a trained model.
 */
public final class CostProfile {
  private static final float INIT_STD = 0.02f;

  private CostProfile() {}

  /** The widened and deepened config: {@code layers} ≥ the source's, {@code intermediate} ≥ the source's. */
  public static LlamaConfig config(LlamaConfig c, int layers, int intermediate) {
    if (layers < c.numLayers()) throw new IllegalArgumentException("--layers " + layers + " is below the source's " + c.numLayers());
    if (intermediate < c.intermediateSize()) {
      throw new IllegalArgumentException("--intermediate " + intermediate + " is below the source's " + c.intermediateSize());
    }
    return new LlamaConfig(c.modelType(), c.vocabSize(), c.hiddenSize(), intermediate, layers, c.numHeads(), c.numKvHeads(),
        c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.tieWordEmbeddings(), c.attentionBias(),
        c.bosTokenId(), c.eosTokenId(), c.ropeScaling(), c.slidingWindow());
  }

  /**
   * Writes the cost profile of {@code source} to {@code out} (weights in {@code dtype}, the
   * source's tokenizer) and returns its config.
   */
  public static LlamaConfig write(Path source, Path out, int layers, int intermediate, DataType dtype, long seed)
      throws IOException {
    try (LlamaModel m = LlamaModel.load(source, WeightFormat.FP32); NDManager scratch = LlamaModel.newManager()) {
      LlamaConfig c = m.config();
      LlamaConfig big = config(c, layers, intermediate);
      scratch.getEngine().setRandomSeed((int) seed);
      Map<String, NDArray> w = m.weights(scratch);
      Map<String, NDArray> o = new LinkedHashMap<>();
      int extra = intermediate - c.intermediateSize();
      int h = c.hiddenSize();
      for (String name : TensorSpec.expected(big).keySet()) {
        NDArray a;
        int layer = name.startsWith("model.layers.") ? Integer.parseInt(name.split("\\.")[2]) : -1;
        long[] shape = TensorSpec.expected(big).get(name);
        if (layer < 0 || layer < c.numLayers()) {
          NDArray src = w.get(name);
          if (extra > 0 && (name.endsWith(GATE) || name.endsWith(UP))) {
            a = NDArrays.concat(new NDList(src, random(scratch, extra, h)), 0); // [intermediate, hidden]
          } else if (extra > 0 && name.endsWith(DOWN)) {
            a = NDArrays.concat(new NDList(src, scratch.zeros(new Shape(h, extra))), 1); // [hidden, intermediate]
          } else {
            a = src;
          }
        } else if (name.endsWith(O) || name.endsWith(DOWN) || name.endsWith(".bias")) {
          a = scratch.zeros(new Shape(shape)); // the layer adds nothing to the residual stream
        } else if (name.endsWith(ATTN_NORM) || name.endsWith(MLP_NORM)) {
          a = scratch.ones(new Shape(shape));
        } else {
          a = random(scratch, shape[0], shape[1]);
        }
        a.setName(name);
        o.put(name, a);
      }
      Files.createDirectories(out);
      big.write(out);
      GenerationConfig.defaults(big).write(out);
      Checkpoint.writeWeights(out, o, dtype);
      Checkpoint.copyTokenizer(source.resolve(Checkpoint.TOKENIZER), out);
      return big;
    }
  }

  private static NDArray random(NDManager m, long rows, long cols) {
    return m.randomNormal(0, INIT_STD, new Shape(rows, cols), DataType.FLOAT32);
  }
}
