package dev.fsgen.cli;

import dev.fsgen.decoding.DecodeRequest;
import dev.fsgen.decoding.ModelPair;
import dev.fsgen.decoding.Oracle;
import dev.fsgen.decoding.Outcome;
import dev.fsgen.decoding.RouterFit;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.decoding.TokenSink;
import dev.fsgen.orchestrator.RouterFile;
import dev.fsgen.runtime.model.GenerationDefaults;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.ArithmeticProblem;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen router}: records oracle generations (System 2 generates, System 1 is scored at every
 * token) on held-out prompts, fits the learned router on them and writes it as a small file that
 * the orchestrator loads with --router-file.
 */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = {"Train the learned router for gated handoff.",
        "Runs oracle generations on validation prompts (Brown openings and arithmetic problems), then fits a logistic",
        "regression from System 1's uncertainty to 'System 2 chose differently'.",
        "Needs ./fsgen data. The file goes to the orchestrator's --router-file."})
public final class RouterCommand implements Callable<Integer> {
  @Option(names = "--system1-model", description = "Default: <root>/models/system1.")
  Path system1;

  @Option(names = "--system2-model", description = "Default: <root>/models/system2.")
  Path system2;

  @Option(names = "--data", description = "Data directory of ./fsgen data. Default: <root>/data.")
  Path data;

  @Option(names = "--prompts", defaultValue = "120", description = "Brown openings; as many arithmetic problems again, halved. Default: ${DEFAULT-VALUE}.")
  int prompts;

  @Option(names = "--max-tokens", defaultValue = "32", description = "Tokens per oracle generation. Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--threshold", defaultValue = "0.5", description = "Hand off above this predicted probability. Default: ${DEFAULT-VALUE}.")
  double threshold;

  @Option(names = "--out", description = "Router file. Default: <root>/work/router.json.")
  Path out;

  @Option(names = "--json", description = "Print the fit as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (prompts < 1 || maxTokens < 1) throw new IllegalArgumentException("--prompts and --max-tokens must be at least 1");
    Path root = Cli.root();
    DataLayout layout = new DataLayout(data != null ? data : root.resolve("data"));
    Path file = out != null ? out : root.resolve("work/router.json");
    try (TextTokenizer tokenizer = TextTokenizer.load(layout.requireTokenizer());
         LlamaModel small = LlamaModel.load(system1 != null ? system1 : root.resolve("models/system1"));
         LlamaModel large = LlamaModel.load(system2 != null ? system2 : root.resolve("models/system2"))) {
      List<int[]> inputs = new ArrayList<>();
      for (String doc : layout.readLines(Domain.BROWN, Split.VAL)) {
        if (inputs.size() == prompts) break;
        int[] ids = tokenizer.encode(doc);
        if (ids.length >= 12) inputs.add(Arrays.copyOf(ids, 12)); // the opening of a held-out document
      }
      for (ArithmeticProblem p : layout.readProblems(Split.VAL)) {
        if (inputs.size() == prompts + prompts / 2) break;
        inputs.add(tokenizer.encode(p.prompt()));
      }
      ModelPair pair = new ModelPair(new LocalLanguageModel(small), new LocalLanguageModel(large));
      List<RouterFit.Example> examples = new ArrayList<>();
      // the oracle stops where System 2 served by the orchestrator would: on any of its checkpoint's end-of-text tokens
      Set<Integer> eos = GenerationDefaults.read(large.directory(), large.config(), tokenizer).eosIds();
      DecodeRequest request = new DecodeRequest(maxTokens, SamplingParams.GREEDY, 0, eos);
      long t0 = System.nanoTime();
      for (int i = 0; i < inputs.size(); i++) {
        Outcome o = new Oracle().run(pair, inputs.get(i), request, TokenSink.NONE);
        for (int j = 0; j < o.tokens().length; j++) {
          examples.add(new RouterFit.Example(o.uncertainty()[j], o.system1Choices()[j] != o.tokens()[j]));
        }
        if ((i + 1) % 20 == 0 || i + 1 == inputs.size()) {
          System.err.printf("router: %d/%d oracle generations, %d tokens, %.0f s%n", i + 1, inputs.size(), examples.size(),
              (System.nanoTime() - t0) / 1e9);
        }
      }
      RouterFit.Result fit = RouterFit.fit(examples, threshold, 3000);
      RouterFile.write(file, fit, inputs.size() + " oracle generations of " + maxTokens + " tokens on validation prompts");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("examples", fit.examples());
      m.put("system2_differs_share", fit.positiveShare());
      m.put("accuracy", fit.accuracy());
      m.put("majority_accuracy", Math.max(fit.positiveShare(), 1 - fit.positiveShare()));
      m.put("log_loss", fit.logLoss());
      if (json) {
        System.out.println(dev.fsgen.bench.Json.compact().toJson(m));
      } else {
        System.out.printf("router: wrote %s: %d tokens, System 2 chose differently at %.1f%%; accuracy %.1f%% (always guessing"
            + " the majority: %.1f%%), log loss %.3f%n", file, fit.examples(), 100 * fit.positiveShare(), 100 * fit.accuracy(),
            100 * Math.max(fit.positiveShare(), 1 - fit.positiveShare()), fit.logLoss());
      }
      return 0;
    }
  }
}
