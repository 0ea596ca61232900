package dev.fsgen.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fsgen.runtime.model.FusedWeights;
import dev.fsgen.runtime.model.Transformer;

/** Teacher-forced next-token loss over fixed windows: the validation figure and the quality table's perplexity. */
public final class Evaluation {
  private Evaluation() {}

  /** Mean loss in nats per token over up to {@code maxWindows} consecutive windows of {@code seqLen}. */
  public static double meanLoss(FusedWeights w, Transformer transformer, NDManager parent, TokenCorpus corpus,
                                int seqLen, int batch, int maxWindows) {
    int n = corpus.windows(seqLen, maxWindows);
    double sum = 0;
    long count = 0;
    for (int first = 0; first < n; first += batch) {
      int rows = Math.min(batch, n - first);
      long[] inputs = new long[rows * seqLen];
      long[] targets = new long[rows * seqLen];
      for (int r = 0; r < rows; r++) corpus.window(first + r, seqLen, inputs, targets, r);
      try (NDManager step = parent.newSubManager()) {
        NDArray x = step.create(inputs, new Shape(rows, seqLen));
        NDArray y = step.create(targets, new Shape(rows, seqLen, 1));
        NDArray logits = transformer.forward(w, x, null, false); // [rows, seq, vocab]
        sum += logits.logSoftmax(-1).gather(y, -1).sum().neg().getFloat();
        count += (long) rows * seqLen;
      }
    }
    return sum / count;
  }
}
