package dev.fsgen.runtime.model;

import static dev.fsgen.runtime.model.TensorNames.*;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.Map;

/**
 * A deliberately naive Hugging Face Llama forward pass in double precision, loops only, written
 * straight from the model definition (no fusing, no cache, explicit repeat of kv heads). The
 * DJL decoder is checked against it.
 */
final class ReferenceLlama {
  private final LlamaConfig c;
  private final Map<String, double[]> w = new HashMap<>();

  ReferenceLlama(LlamaConfig c, Map<String, NDArray> weights) {
    this.c = c;
    weights.forEach((k, v) -> {
      float[] f = v.toFloatArray();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) d[i] = f[i];
      w.put(k, d);
    });
  }

  /** Logits [t][vocab] at every position of one sequence. */
  double[][] logits(int[] tokens) {
    int t = tokens.length;
    int h = c.hiddenSize();
    double[][] x = new double[t][];
    for (int i = 0; i < t; i++) x[i] = row(w.get(EMBED), tokens[i], h);
    for (int l = 0; l < c.numLayers(); l++) {
      double[][] n = new double[t][];
      for (int i = 0; i < t; i++) n[i] = rms(x[i], w.get(layer(l, ATTN_NORM)));
      double[][] a = attention(l, n);
      for (int i = 0; i < t; i++) for (int j = 0; j < h; j++) x[i][j] += a[i][j];
      for (int i = 0; i < t; i++) {
        double[] m = rms(x[i], w.get(layer(l, MLP_NORM)));
        double[] g = linear(w.get(layer(l, GATE)), m, c.intermediateSize());
        double[] u = linear(w.get(layer(l, UP)), m, c.intermediateSize());
        for (int j = 0; j < g.length; j++) g[j] = g[j] / (1 + Math.exp(-g[j])) * u[j];
        double[] dn = linear(w.get(layer(l, DOWN)), g, h);
        for (int j = 0; j < h; j++) x[i][j] += dn[j];
      }
    }
    double[] head = c.tieWordEmbeddings() ? w.get(EMBED) : w.get(LM_HEAD);
    double[][] out = new double[t][];
    for (int i = 0; i < t; i++) out[i] = linear(head, rms(x[i], w.get(FINAL_NORM)), c.vocabSize());
    return out;
  }

  private double[][] attention(int l, double[][] n) {
    int t = n.length;
    int d = c.headDim();
    int heads = c.numHeads();
    int kvHeads = c.numKvHeads();
    double[][] q = new double[t][];
    double[][] k = new double[t][];
    double[][] v = new double[t][];
    for (int i = 0; i < t; i++) {
      q[i] = linear(w.get(layer(l, Q)), n[i], c.qDim());
      k[i] = linear(w.get(layer(l, K)), n[i], c.kvDim());
      v[i] = linear(w.get(layer(l, V)), n[i], c.kvDim());
      if (c.attentionBias()) {
        add(q[i], w.get(layer(l, Q_BIAS)));
        add(k[i], w.get(layer(l, K_BIAS)));
        add(v[i], w.get(layer(l, V_BIAS)));
      }
      for (int hd = 0; hd < heads; hd++) rope(q[i], hd * d, i);
      for (int hd = 0; hd < kvHeads; hd++) rope(k[i], hd * d, i);
    }
    double[][] out = new double[t][c.qDim()];
    for (int hd = 0; hd < heads; hd++) {
      int kvh = hd / (heads / kvHeads); // repeat_kv
      for (int i = 0; i < t; i++) {
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int e = 0; e < d; e++) dot += q[i][hd * d + e] * k[j][kvh * d + e];
          s[j] = dot / Math.sqrt(d);
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) sum += s[j] = Math.exp(s[j] - max);
        for (int j = 0; j <= i; j++) {
          for (int e = 0; e < d; e++) out[i][hd * d + e] += s[j] / sum * v[j][kvh * d + e];
        }
      }
    }
    double[][] o = new double[t][];
    for (int i = 0; i < t; i++) o[i] = linear(w.get(layer(l, O)), out[i], c.hiddenSize());
    return o;
  }

  /** HF rotate_half convention: pairs (e, e + d/2) rotate by pos · theta^(-2e/d). */
  private void rope(double[] x, int off, int pos) {
    int d = c.headDim();
    int half = d / 2;
    for (int e = 0; e < half; e++) {
      double angle = pos / Math.pow(c.ropeTheta(), 2.0 * e / d);
      double a = x[off + e];
      double b = x[off + e + half];
      x[off + e] = a * Math.cos(angle) - b * Math.sin(angle);
      x[off + e + half] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }

  private double[] rms(double[] x, double[] g) {
    double ss = 0;
    for (double v : x) ss += v * v;
    double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
    double[] o = new double[x.length];
    for (int i = 0; i < x.length; i++) o[i] = x[i] * inv * g[i];
    return o;
  }

  /** y = W x for W stored [out, in] row-major, as torch.nn.Linear does. */
  private static double[] linear(double[] wt, double[] x, int out) {
    int in = x.length;
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = 0;
      for (int i = 0; i < in; i++) s += wt[o * in + i] * x[i];
      y[o] = s;
    }
    return y;
  }

  private static double[] row(double[] m, int r, int width) {
    double[] o = new double[width];
    System.arraycopy(m, r * width, o, 0, width);
    return o;
  }

  private static void add(double[] x, double[] b) {
    for (int i = 0; i < x.length; i++) x[i] += b[i];
  }
}
