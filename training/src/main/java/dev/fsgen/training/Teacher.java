package dev.fsgen.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.fsgen.runtime.model.FusedWeights;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.model.Transformer;
import java.nio.file.Path;

/**
 * A trained model whose next-token distributions a student learns from (distillation). A System 1
 * distilled from System 2 agrees with it more often than one trained on the text alone, and the
 * agreement is what speculative decoding's acceptance measures.
 *
 * @param weight share of the loss taken from the teacher's distributions; the rest is the usual
 *     next-token loss on the text
 */
public final class Teacher implements AutoCloseable {
  private final Path directory;
  private final double weight;
  private final NDManager manager;
  private final LlamaConfig config;
  private final FusedWeights fused;
  private final Transformer transformer;

  private Teacher(Path directory, double weight, NDManager manager, LlamaConfig config, FusedWeights fused) {
    this.directory = directory;
    this.weight = weight;
    this.manager = manager;
    this.config = config;
    this.fused = fused;
    this.transformer = new Transformer(config, manager);
  }

  /** Loads the teacher from a model directory; its vocabulary must be the student's. */
  public static Teacher load(Path dir, double weight, LlamaConfig student) {
    if (!(weight > 0 && weight <= 1)) throw new IllegalArgumentException("distillation weight must be in (0, 1], got " + weight);
    NDManager manager = LlamaModel.newManager();
    try (LlamaModel model = LlamaModel.load(dir, WeightFormat.FP32)) { // its weights feed libtorch's forward pass
      LlamaConfig c = model.config();
      if (c.vocabSize() != student.vocabSize()) {
        throw new IllegalArgumentException("teacher " + dir + " has a vocabulary of " + c.vocabSize() + ", the student " + student.vocabSize());
      }
      return new Teacher(dir, weight, manager, c, FusedWeights.forInference(c, model.weights(manager), manager));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public Path directory() {
    return directory;
  }

  public double weight() {
    return weight;
  }

  /** The teacher's next-token probabilities at every position, owned by the tokens' manager: [b, t] → [b, t, vocab]. */
  public NDArray probabilities(NDArray tokens) {
    NDArray logits = transformer.forward(fused, tokens, null, false); // [b, t, vocab], owned by the tokens' manager
    return logits.softmax(-1);
  }

  /** Cross-entropy of the student's log-probabilities against the teacher's: mean over positions of −Σ p log q. */
  static NDArray softLoss(NDArray teacherProbs, NDArray studentLogProbs) {
    return teacherProbs.mul(studentLogProbs).sum(new int[] {-1}).mean().neg();
  }

  @Override
  public void close() {
    transformer.close();
    manager.close();
  }
}
