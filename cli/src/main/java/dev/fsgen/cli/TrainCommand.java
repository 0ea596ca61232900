package dev.fsgen.cli;

import ai.djl.ndarray.types.DataType;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.runtime.model.ModelFamily;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.TokenCorpus;
import dev.fsgen.training.GeneralMixture;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.Teacher;
import dev.fsgen.training.TrainConfig;
import dev.fsgen.training.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen train}: one model of the family, on the general mixture or tuned on the Bible. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train one model of the fsgen family (resumable).",
        "Rerun the same command after an interruption to continue from the last checkpoint.",
        "General models train on Brown + arithmetic; --domain kjv continues a model (--init) on the King James Bible."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--size", required = true, description = "Model size: xs, s, m, l, xl.")
  ModelFamily size;

  @Option(names = "--out", required = true, description = "Output model directory (Hugging Face layout); training state goes to <out>/.train-state.")
  Path out;

  @Option(names = "--data", description = "Prepared data directory (from ./fsgen data). Default: <root>/data.")
  Path data;

  @Option(names = "--domain", defaultValue = "general", description = "general (the data's general mixture: Brown and arithmetic for the bundled data; every text domain, the KJV and word problems included, and arithmetic for the broad) or kjv (domain tuning). Default: ${DEFAULT-VALUE}.")
  String domain;

  @Option(names = "--init", description = "Start from this model directory instead of random weights (required for --domain kjv).")
  Path init;

  @Option(names = "--teacher", description = "Distil: learn also from this model's next-token distributions (same tokenizer), e.g. System 2 for a System 1 that agrees with it more often.")
  Path teacher;

  @Option(names = "--distil-weight", defaultValue = "0.8", description = "Share of the loss taken from the teacher's distributions (with --teacher). Default: ${DEFAULT-VALUE}.")
  double distilWeight;

  @Option(names = "--steps", description = "Optimizer steps (default depends on size and domain).")
  Integer steps;

  @Option(names = "--batch", defaultValue = "16", description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence. Default: ${DEFAULT-VALUE}.")
  int seqLen;

  @Option(names = "--lr", description = "Peak learning rate (default depends on size).")
  Double lr;

  @Option(names = "--arith-weight", defaultValue = "0.25", description = "Share of arithmetic sequences in the general mixture. Default: ${DEFAULT-VALUE}.")
  double arithWeight;

  @Option(names = "--seed", defaultValue = "1234", description = "Seed for initialisation and batches. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--minutes", defaultValue = "0", description = "Stop (with a checkpoint) after this many minutes; 0 = run to the end. Rerun to resume.")
  double minutes;

  @Option(names = "--dtype", defaultValue = "float32", description = "Weight dtype written: float32, float16 or bfloat16. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  /** Steps that give each size roughly the same ~8-10 M tokens; larger models learn more from them. */
  static int defaultSteps(ModelFamily size, boolean tuning) {
    if (tuning) return switch (size) { case XS, S, M -> 300; case L, XL -> 250; };
    return switch (size) { case XS -> 1500; case S -> 2000; case M -> 2500; case L -> 3000; case XL -> 4000; };
  }

  static double defaultLr(ModelFamily size, boolean tuning) {
    double base = switch (size) { case XS, S -> 3e-3; case M -> 2e-3; case L -> 1.5e-3; case XL -> 1e-3; };
    return tuning ? base / 3 : base;
  }

  @Override
  public Integer call() throws Exception {
    boolean tuning = switch (domain) {
      case "general" -> false;
      case "kjv" -> true;
      default -> throw new IllegalArgumentException("--domain must be general or kjv, got '" + domain + "'");
    };
    if (tuning && init == null) throw new IllegalArgumentException("--domain kjv continues a trained model: pass --init <model dir>");
    if (!(distilWeight > 0 && distilWeight <= 1)) throw new IllegalArgumentException("--distil-weight must be in (0, 1], got " + distilWeight);
    DataLayout layout = new DataLayout(data != null ? data : Cli.root().resolve("data"));
    int n = steps != null ? steps : defaultSteps(size, tuning);
    double peak = lr != null ? lr : defaultLr(size, tuning);
    TrainConfig cfg = new TrainConfig(n, batch, seqLen, peak, peak / 10, Math.max(1, Math.min(200, n / 10)), 0.1, 1.0,
        Math.max(50, n / 10), 32, Math.max(50, n / 20), seed);
    DataType type = Cli.dtype(dtype);
    try (TextTokenizer tokenizer = TextTokenizer.load(layout.requireTokenizer())) {
      LlamaConfig config = size.config(tokenizer.vocabSize(), tokenizer.eosId());
      List<TokenCorpus> train = new ArrayList<>();
      if (tuning) {
        train.add(TokenizedData.corpus(layout, tokenizer, Domain.KJV, Split.TRAIN, 1.0));
      } else {
        train.addAll(GeneralMixture.corpora(layout, tokenizer, arithWeight));
      }
      List<TokenCorpus> val = new ArrayList<>();
      for (Domain d : layout.domains()) val.add(TokenizedData.corpus(layout, tokenizer, d, Split.VAL, 1.0));
      System.err.printf("train: %s (%.2f M parameters) on %s, %d steps of %d x %d tokens%n", size.id(),
          config.parameterCount() / 1e6, tuning ? "kjv" : layout.mixture().id() + " general mixture", n, batch, seqLen);
      LlamaModel base = null;
      if (init != null) {
        base = LlamaModel.load(init, WeightFormat.FP32); // training starts from the checkpoint's exact values
        if (!base.config().equals(config)) {
          throw new IllegalArgumentException("--init model " + init + " is not of size " + size.id() + " with this tokenizer");
        }
      }
      Trainer trainer = new Trainer(config, cfg, train, val, out.resolve(".train-state"), System.err)
          .stopAfter(Integer.MAX_VALUE, minutes * 60);
      try (Teacher t = teacher == null ? null : Teacher.load(teacher, distilWeight, config);
           Trainer.Trained trained = trainer.distilFrom(t).run(base == null ? null : base.weights())) {
        if (base != null) base.close();
        Trainer.Result r = trained.result();
        if (r.complete()) {
          trained.model().save(out, type, tokenizer.path());
          writeReport(out, size, tuning, cfg, r, config, t);
        }
        Map<String, Object> summary = summary(size, tuning, r, config);
        if (json) System.out.println(dev.fsgen.bench.Json.compact().toJson(summary));
        else System.err.println("train: " + (r.complete() ? "wrote " + out : "not finished, rerun to resume") + " " + summary.get("validation_loss"));
        return 0;
      }
    }
  }

  private static Map<String, Object> summary(ModelFamily size, boolean tuning, Trainer.Result r, LlamaConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", size.id());
    m.put("domain", tuning ? "kjv" : "general");
    m.put("parameters", c.parameterCount());
    m.put("steps", r.steps());
    m.put("complete", r.complete());
    m.put("train_loss", r.trainLoss());
    m.put("validation_loss", r.validationLoss());
    m.put("tokens_per_second", r.tokensPerSecond());
    m.put("skipped_steps", r.skippedSteps());
    m.put("seconds", r.seconds());
    return m;
  }

  private static void writeReport(Path out, ModelFamily size, boolean tuning, TrainConfig cfg, Trainer.Result r, LlamaConfig c,
                                  Teacher teacher) throws java.io.IOException {
    Map<String, Object> m = summary(size, tuning, r, c);
    if (teacher != null) m.put("distilled_from", Map.of("teacher", teacher.directory().toString(), "weight", teacher.weight()));
    m.put("train_config", cfg);
    m.put("history", r.history());
    Files.writeString(out.resolve("training.json"),
        dev.fsgen.bench.Json.gson().toJson(m) + "\n"); // strict JSON: a loss that was not finite is null
  }
}
