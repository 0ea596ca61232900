package dev.fsgen.training;

import ai.djl.ndarray.NDManager;
import dev.fsgen.runtime.model.FusedWeights;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.Transformer;

/** Teacher-forced next-token loss over fixed windows: the validation figure and the quality table's perplexity. */
public final class Evaluation {
  private Evaluation() {}

  /** Summed loss (nats) of one batch of windows: inputs and targets [rows, seqLen], row-major. */
  @FunctionalInterface
  interface BatchLoss {
    double sum(long[] inputs, long[] targets, int rows, int seqLen);
  }

  /**
   * Mean loss in nats per token of a loaded model over up to {@code maxWindows} consecutive windows
   * of {@code seqLen}, cut to the model's context.
   */
  public static double meanLoss(LlamaModel model, TokenCorpus corpus, int seqLen, int batch, int maxWindows) {
    int len = Math.min(seqLen, model.config().maxPositionEmbeddings());
    return meanLoss(model::lossSum, corpus, len, batch, maxWindows);
  }

  /**
   * The mean loss in nats per token of each of up to {@code maxWindows} consecutive windows, one
   * forward pass a window: the units a perplexity's interval resamples.
   */
  public static double[] windowLosses(LlamaModel model, TokenCorpus corpus, int seqLen, int maxWindows) {
    int len = Math.min(seqLen, model.config().maxPositionEmbeddings());
    int n = corpus.windows(len, maxWindows);
    double[] losses = new double[n];
    long[] inputs = new long[len]; // [1, len]
    long[] targets = new long[len];
    for (int w = 0; w < n; w++) {
      corpus.window(w, len, inputs, targets, 0);
      losses[w] = model.lossSum(inputs, targets, 1, len) / len;
    }
    return losses;
  }

  /** Mean loss in nats per token of weights being trained over up to {@code maxWindows} consecutive windows of {@code seqLen}. */
  public static double meanLoss(FusedWeights w, Transformer transformer, NDManager parent, TokenCorpus corpus,
                                int seqLen, int batch, int maxWindows) {
    return meanLoss((in, out, rows, len) -> transformer.lossSum(w, parent, in, out, rows, len), corpus, seqLen, batch, maxWindows);
  }

  private static double meanLoss(BatchLoss loss, TokenCorpus corpus, int seqLen, int batch, int maxWindows) {
    int n = corpus.windows(seqLen, maxWindows);
    double sum = 0;
    long count = 0;
    for (int first = 0; first < n; first += batch) {
      int rows = Math.min(batch, n - first);
      long[] inputs = new long[rows * seqLen];
      long[] targets = new long[rows * seqLen];
      for (int r = 0; r < rows; r++) corpus.window(first + r, seqLen, inputs, targets, r);
      sum += loss.sum(inputs, targets, rows, seqLen);
      count += (long) rows * seqLen;
    }
    return sum / count;
  }
}
