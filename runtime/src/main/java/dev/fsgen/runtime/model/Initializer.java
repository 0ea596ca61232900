package dev.fsgen.runtime.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fresh weights for training: GPT-2 style normal(0, 0.02), residual outputs scaled by 1/sqrt(2·layers). */
public final class Initializer {
  private Initializer() {}

  public static Map<String, NDArray> init(LlamaConfig c, NDManager manager, long seed) {
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    float std = 0.02f;
    float residualStd = (float) (std / Math.sqrt(2.0 * c.numLayers()));
    Map<String, NDArray> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : TensorSpec.expected(c).entrySet()) {
      String name = e.getKey();
      Shape shape = new Shape(e.getValue());
      NDArray a;
      if (name.endsWith("norm.weight")) {
        a = manager.ones(shape, DataType.FLOAT32);
      } else if (name.endsWith(".bias")) {
        a = manager.zeros(shape, DataType.FLOAT32);
      } else {
        boolean residual = name.endsWith(TensorNames.O) || name.endsWith(TensorNames.DOWN);
        a = manager.randomNormal(0f, residual ? residualStd : std, shape, DataType.FLOAT32);
      }
      a.setName(name);
      w.put(name, a);
    }
    return w;
  }
}
