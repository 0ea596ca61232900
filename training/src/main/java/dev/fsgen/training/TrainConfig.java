package dev.fsgen.training;

/**
 * Hyper-parameters of one training run. Learning rate follows a linear warm-up to {@code lr}, then
 * a cosine decay to {@code minLr} at {@code steps}.
 */
public record TrainConfig(
    int steps,
    int batch,
    int seqLen,
    double lr,
    double minLr,
    int warmupSteps,
    double weightDecay,
    double clipNorm,
    int evalEvery,
    int evalWindows,
    int checkpointEvery,
    long seed) {

  public TrainConfig {
    if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
    if (seqLen < 2) throw new IllegalArgumentException("seq-len must be at least 2, got " + seqLen);
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be positive, got " + lr);
    if (minLr < 0 || minLr > lr) throw new IllegalArgumentException("min-lr must be in [0, lr], got " + minLr);
    if (warmupSteps < 0 || warmupSteps > steps) throw new IllegalArgumentException("warmup must be in [0, steps], got " + warmupSteps);
    if (weightDecay < 0) throw new IllegalArgumentException("weight-decay must be >= 0, got " + weightDecay);
    if (!(clipNorm > 0)) throw new IllegalArgumentException("clip-norm must be positive, got " + clipNorm);
    if (evalEvery < 1 || checkpointEvery < 1) throw new IllegalArgumentException("eval-every and checkpoint-every must be at least 1");
  }

  public static TrainConfig defaults(int steps) {
    return new TrainConfig(steps, 16, 256, 3e-3, 3e-4, Math.min(200, steps / 10), 0.1, 1.0,
        Math.max(50, steps / 20), 64, Math.max(100, steps / 20), 1234);
  }

  public TrainConfig withSteps(int s) {
    return new TrainConfig(s, batch, seqLen, lr, minLr, Math.min(warmupSteps, s), weightDecay, clipNorm,
        evalEvery, evalWindows, checkpointEvery, seed);
  }

  /** Learning rate at a 0-based step. */
  public double lrAt(int step) {
    if (step < warmupSteps) return lr * (step + 1) / warmupSteps;
    double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
  }
}
