package dev.fsgen.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.fsgen.runtime.model.FusedWeights;
import dev.fsgen.runtime.model.Initializer;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.Transformer;
import dev.fsgen.runtime.progress.Progress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Next-token training on DJL autograd: AdamW, warm-up + cosine schedule, global-norm clipping,
 * periodic validation, checkpoints, exact resume. The batch of step s is drawn from a generator
 * seeded by (seed, s), so a resumed run sees the same data as an uninterrupted one.
 */
public final class Trainer {
  private static final String STATE_JSON = "state.json";
  private static final String STATE_TENSORS = "state.safetensors";
  private static final NDIndex ALL = new NDIndex("...");
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private final LlamaConfig model;
  private final TrainConfig cfg;
  private final List<TokenCorpus> train;
  private final List<TokenCorpus> validation;
  private final Path stateDir;
  private final PrintStream log;
  private int stopAfterSteps = Integer.MAX_VALUE;
  private long deadlineNanos = Long.MAX_VALUE;
  private Teacher teacher;

  /** What a run reports: last train loss, per-domain validation loss (nats/token), throughput. */
  public record Result(int steps, boolean complete, double trainLoss, Map<String, Double> validationLoss,
                       double tokensPerSecond, int skippedSteps, double seconds, List<Map<String, Object>> history) {}

  /** The model as trained so far, and how far that is. The caller owns (closes) the model. */
  public record Trained(LlamaModel model, Result result) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  /** The persisted run state (besides tensors). */
  record State(int step, int adamSteps, int skippedSteps, double seconds, double lastLoss, LlamaConfig model,
               TrainConfig train, List<Map<String, Object>> history) {}

  public Trainer(LlamaConfig model, TrainConfig cfg, List<TokenCorpus> train, List<TokenCorpus> validation,
                 Path stateDir, PrintStream log) {
    if (train.isEmpty()) throw new IllegalArgumentException("no training corpus");
    if (train.stream().mapToDouble(TokenCorpus::weight).sum() <= 0) throw new IllegalArgumentException("corpus weights sum to 0");
    this.model = model;
    this.cfg = cfg;
    this.train = train;
    this.validation = validation;
    this.stateDir = stateDir;
    this.log = log;
  }

  /**
   * Ends this invocation early, with a checkpoint, after {@code steps} steps or {@code seconds} of
   * wall time, whichever comes first; running the same command again resumes. Lets a long run be
   * split across sittings.
   */
  public Trainer stopAfter(int steps, double seconds) {
    this.stopAfterSteps = steps;
    this.deadlineNanos = seconds <= 0 || Double.isInfinite(seconds) ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
    return this;
  }

  /**
   * Distils: each step's loss mixes the next-token loss on the text with the cross-entropy against
   * the teacher's distributions, by the teacher's weight. The caller owns (closes) the teacher.
   */
  public Trainer distilFrom(Teacher teacher) {
    this.teacher = teacher;
    return this;
  }

  /**
   * Trains from {@code init} (null: fresh weights from the seed), resuming from the state directory
   * when it holds a checkpoint of the same configuration, and returns the trained model.
   */
  public Trained run(Map<String, NDArray> init) throws IOException {
    NDManager manager = LlamaModel.newManager();
    try {
      Map<String, NDArray> params = new LinkedHashMap<>();
      if (init != null) {
        init.forEach((k, v) -> {
          NDArray c = v.duplicate();
          c.attach(manager);
          c.setName(k);
          params.put(k, c);
        });
      } else {
        params.putAll(Initializer.init(model, manager, cfg.seed()));
      }
      AdamW adam = new AdamW(params, manager);
      State state = resume(params, adam, manager);
      params.values().forEach(p -> p.setRequiresGradient(true));
      Result r = loop(params, adam, manager, state);
      params.values().forEach(p -> p.setRequiresGradient(false));
      Map<String, NDArray> weights = new LinkedHashMap<>();
      params.forEach((k, v) -> {
        NDArray c = v.stopGradient();
        c.attach(manager);
        c.setName(k);
        weights.put(k, c);
      });
      return new Trained(LlamaModel.of(model, weights, manager), r);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private Result loop(Map<String, NDArray> params, AdamW adam, NDManager manager, State state) throws IOException {
    int b = cfg.batch();
    int t = cfg.seqLen();
    double[] weights = train.stream().mapToDouble(TokenCorpus::weight).toArray();
    double total = 0;
    for (double w : weights) total += w;
    List<Map<String, Object>> history = new ArrayList<>(state.history());
    int skipped = state.skippedSteps();
    double lastLoss = state.lastLoss();
    double smoothLoss = Double.NaN;
    long[] inputs = new long[b * t];
    long[] targets = new long[b * t];
    Progress progress = Progress.to(log, "train", "step", cfg.steps()).every(Duration.ofSeconds(10));
    if (state.step() > 0) progress.resumed(state.step(), state.step(), stateDir);
    long startNanos = System.nanoTime();
    double seconds0 = state.seconds();
    try (Transformer transformer = new Transformer(model, manager)) {
      int step = state.step();
      int ranHere = 0;
      for (; step < cfg.steps() && ranHere < stopAfterSteps && System.nanoTime() < deadlineNanos; step++, ranHere++) {
        Random rng = new Random(cfg.seed() * 1_000_003L + step);
        for (int row = 0; row < b; row++) pick(rng, weights, total).sample(rng, t, inputs, targets, row);
        double gradNorm;
        try (NDManager scratch = manager.newSubManager()) {
          NDArray x = scratch.create(inputs, new Shape(b, t));
          NDArray y = scratch.create(targets, new Shape(b, t, 1));
          // computed before the collector opens, so no graph is recorded through the teacher
          NDArray soft = teacher == null ? null : teacher.probabilities(x); // [b, t, vocab]
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            FusedWeights fw = FusedWeights.of(model, params, scratch);
            NDArray logits = transformer.forward(fw, x, null, false); // [b, t, vocab]
            NDArray logProbs = logits.logSoftmax(-1);
            NDArray loss = logProbs.gather(y, -1).mean().neg();
            if (soft != null) loss = loss.mul((float) (1 - teacher.weight())).add(Teacher.softLoss(soft, logProbs).mul((float) teacher.weight()));
            gc.backward(loss);
            lastLoss = loss.getFloat();
          }
          gradNorm = gradientNorm(params, scratch);
        }
        if (Double.isFinite(gradNorm) && Double.isFinite(lastLoss)) {
          double scale = gradNorm > cfg.clipNorm() ? cfg.clipNorm() / gradNorm : 1.0;
          adam.step(params, cfg.lrAt(step), cfg.weightDecay(), scale);
        } else {
          // a non-finite gradient would poison the moments for good: drop this update only
          skipped++;
          progress.note("step " + (step + 1) + ": non-finite gradient in " + describeNonFinite(params) + " (loss " + lastLoss + "), update skipped");
        }
        zeroGradients(params);
        smoothLoss = Double.isNaN(smoothLoss) ? lastLoss : 0.95 * smoothLoss + 0.05 * lastLoss;
        double secs = seconds0 + (System.nanoTime() - startNanos) / 1e9;
        double tokPerSec = (double) (step + 1 - state.step()) * b * t / ((System.nanoTime() - startNanos) / 1e9);
        progress.update(step + 1, String.format("loss %.3f lr %.2e %.0f tok/s", smoothLoss, cfg.lrAt(step), tokPerSec));
        boolean last = step + 1 == cfg.steps() || ranHere + 1 == stopAfterSteps || System.nanoTime() >= deadlineNanos;
        if ((step + 1) % cfg.evalEvery() == 0 || last) {
          Map<String, Double> val = evaluate(params, manager, transformer);
          Map<String, Object> point = new LinkedHashMap<>();
          point.put("step", step + 1);
          point.put("train_loss", smoothLoss);
          point.put("seconds", secs);
          val.forEach((k, v) -> point.put("val_" + k, v));
          history.add(point);
          progress.note("step " + (step + 1) + " " + describe(val));
        }
        if ((step + 1) % cfg.checkpointEvery() == 0 || last) {
          save(params, adam, new State(step + 1, adam.stepCount(), skipped, secs, lastLoss, model, cfg, history));
        }
      }
      Map<String, Double> finalVal = evaluate(params, manager, transformer);
      double secs = seconds0 + (System.nanoTime() - startNanos) / 1e9;
      double tps = (double) ranHere * b * t / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
      if (step < cfg.steps()) progress.note("stopped at step " + step + " of " + cfg.steps() + "; run the same command again to resume");
      return new Result(step, step == cfg.steps(), lastLoss, finalVal, tps, skipped, secs, history);
    }
  }

  private TokenCorpus pick(Random rng, double[] weights, double total) {
    double u = rng.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return train.get(i);
    }
    return train.get(train.size() - 1);
  }

  /** Global L2 norm of the gradients, accumulated in double so that a large gradient cannot overflow it. */
  private double gradientNorm(Map<String, NDArray> params, NDManager scratch) {
    double sq = 0;
    for (NDArray p : params.values()) {
      NDArray g = p.getGradient();
      g.attach(scratch);
      sq += g.toType(DataType.FLOAT64, false).square().sum().getDouble();
    }
    return Math.sqrt(sq);
  }

  /** The parameters whose gradient holds a non-finite value, and the largest finite magnitude seen. */
  private static String describeNonFinite(Map<String, NDArray> params) {
    List<String> bad = new ArrayList<>();
    float largest = 0;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = e.getValue().getGradient();
      for (float f : g.toFloatArray()) {
        if (!Float.isFinite(f)) {
          bad.add(e.getKey());
          break;
        }
        largest = Math.max(largest, Math.abs(f));
      }
      g.close();
    }
    return bad + ", largest finite |gradient| " + largest;
  }

  /**
   * Fills every gradient with zeros in place. Not {@code g - g} (what DJL's own zeroGradients
   * does): NaN − NaN is NaN, so one transient non-finite gradient would stay in the buffer and
   * poison every later step, which is how whole tails of training runs were lost.
   */
  static void zeroGradients(Map<String, NDArray> params) {
    for (NDArray p : params.values()) {
      NDArray g = p.getGradient();
      g.set(ALL, 0f);
      g.close();
    }
  }


  /** Mean next-token loss (nats) per validation corpus, over fixed consecutive windows. */
  private Map<String, Double> evaluate(Map<String, NDArray> params, NDManager manager, Transformer transformer) {
    Map<String, Double> out = new LinkedHashMap<>();
    try (NDManager scratch = manager.newSubManager()) {
      FusedWeights fw = FusedWeights.of(model, params, scratch);
      for (TokenCorpus c : validation) {
        out.put(c.name(), Evaluation.meanLoss(fw, transformer, scratch, c, cfg.seqLen(), cfg.batch(), cfg.evalWindows()));
      }
    }
    return out;
  }

  static String describe(Map<String, Double> val) {
    StringBuilder sb = new StringBuilder("validation");
    val.forEach((k, v) -> sb.append(String.format(" %s %.3f (ppl %.1f)", k, v, Math.exp(v))));
    return sb.toString();
  }

  private State resume(Map<String, NDArray> params, AdamW adam, NDManager manager) throws IOException {
    Path json = stateDir.resolve(STATE_JSON);
    if (!Files.exists(json)) return new State(0, 0, 0, 0, Double.NaN, model, cfg, List.of());
    State s = GSON.fromJson(Files.readString(json), State.class);
    if (!model.equals(s.model())) {
      throw new IllegalStateException(stateDir + ": checkpoint is of another model config " + s.model() + "; use a fresh --out or delete it");
    }
    if (!cfg.equals(s.train())) {
      throw new IllegalStateException(stateDir + ": checkpoint was made with other training settings " + s.train() + "; use a fresh --out or delete it");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(stateDir.resolve(STATE_TENSORS)));
         NDManager staging = manager.newSubManager()) {
      NDList list = NDList.decode(staging, in);
      Map<String, NDArray> byName = new LinkedHashMap<>();
      for (NDArray a : list) byName.put(a.getName(), a);
      for (String name : params.keySet()) {
        params.get(name).set(byName.get("param." + name).toFloatArray());
        adam.firstMoments().get(name).set(byName.get("adam_m." + name).toFloatArray());
        adam.secondMoments().get(name).set(byName.get("adam_v." + name).toFloatArray());
      }
    }
    adam.restore(s.adamSteps());
    return s;
  }

  private void save(Map<String, NDArray> params, AdamW adam, State state) throws IOException {
    Files.createDirectories(stateDir);
    NDList list = new NDList();
    params.forEach((name, p) -> list.add(named(p, "param." + name)));
    adam.firstMoments().forEach((name, a) -> list.add(named(a, "adam_m." + name)));
    adam.secondMoments().forEach((name, a) -> list.add(named(a, "adam_v." + name)));
    Path tmp = stateDir.resolve(STATE_TENSORS + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
    for (NDArray a : list) a.close();
    Files.move(tmp, stateDir.resolve(STATE_TENSORS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Path jtmp = stateDir.resolve(STATE_JSON + ".tmp");
    Files.writeString(jtmp, GSON.toJson(state));
    Files.move(jtmp, stateDir.resolve(STATE_JSON), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A detached copy carrying the name under which it is saved (names must not collide with the live array). */
  private static NDArray named(NDArray a, String name) {
    NDArray c = a.stopGradient();
    c.setName(name);
    return c;
  }
}
