package dev.fsgen.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019) with decoupled weight decay on matrices only. Written out
 * because DJL's optimizer keeps its moments private, and resuming a run needs to save them.
 * Runs outside any gradient collector, where in-place updates of leaf parameters are allowed.
 */
public final class AdamW {
  private final double beta1 = 0.9;
  private final double beta2 = 0.95;
  private final double eps = 1e-8;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private int t;

  public AdamW(Map<String, NDArray> params, NDManager manager) {
    params.forEach((name, p) -> {
      m.put(name, manager.zeros(p.getShape()));
      v.put(name, manager.zeros(p.getShape()));
    });
  }

  public Map<String, NDArray> firstMoments() {
    return m;
  }

  public Map<String, NDArray> secondMoments() {
    return v;
  }

  public int stepCount() {
    return t;
  }

  public void restore(int stepCount) {
    t = stepCount;
  }

  /** Applies one update; {@code gradScale} multiplies every gradient (global-norm clipping). */
  public void step(Map<String, NDArray> params, double lr, double weightDecay, double gradScale) {
    t++;
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      NDArray mi = m.get(e.getKey());
      NDArray vi = v.get(e.getKey());
      // temporaries land in their first operand's manager: route each into a scratch manager
      try (NDManager scratch = p.getManager().newSubManager()) {
        NDArray g = owned(scratch, owned(scratch, p.getGradient()).mul((float) gradScale));
        mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
        // p -= lr · m̂ / (sqrt(v̂) + eps), with the bias corrections folded into scalars
        NDArray denom = owned(scratch, vi.sqrt()).divi((float) Math.sqrt(bc2)).addi((float) eps);
        NDArray update = owned(scratch, mi.div(denom)).muli((float) (lr / bc1));
        if (p.getShape().dimension() >= 2 && weightDecay > 0) p.muli((float) (1 - lr * weightDecay));
        p.subi(update);
      }
    }
  }

  private static NDArray owned(NDManager scratch, NDArray a) {
    a.attach(scratch);
    return a;
  }
}
