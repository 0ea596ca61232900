package dev.fsgen.cli;

import dev.fsgen.decoding.Generator;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.runtime.model.LoadedModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import dev.fsgen.tokenizer.StreamDecoder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fsgen local}: one model in this process, no services; tokens printed as they are produced. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = {"Stream a generation from one model in this process.",
        "No services are started. Sampling follows the checkpoint's generation_config.json unless --temperature, --top-k or",
        "--top-p is given (greedy for fsgen's models)."})
public final class LocalCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Model directory (Hugging Face layout). Default: <root>/models/system2.")
  Path model;

  @Mixin
  SamplingOptions o = new SamplingOptions();

  @Option(names = "--json", description = "Print one JSON object (text, token ids, figures) instead of streaming.")
  boolean json;

  @picocli.CommandLine.Mixin WeightsOption weightsOption = new WeightsOption();

  @Override
  public Integer call() {
    weightsOption.apply();
    SamplingParams given = o.given(); // checked before the model loads
    o.checkLength();
    Path dir = model != null ? model : Cli.root().resolve("models/system2");
    try (LoadedModel loaded = LoadedModel.load(dir)) {
      int[] ids = loaded.tokenizer().encode(o.prompt);
      if (ids.length == 0) throw new IllegalArgumentException("--prompt is empty: give at least one character");
      int context = loaded.model().config().maxPositionEmbeddings();
      if (ids.length >= context) {
        throw new IllegalArgumentException("--prompt is " + ids.length + " tokens; the model's context is " + context);
      }
      int budget = Math.min(o.maxTokens, context - ids.length);
      SamplingParams sampling = given != null ? given : loaded.generation().sampling();
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      StreamDecoder stream = loaded.tokenizer().newStreamDecoder();
      if (!json) out.print(o.prompt);
      Generator.Result r = Generator.generate(new LocalLanguageModel(loaded.model()), ids,
          new Generator.Options(budget, sampling, o.seed, o.ignoreEos ? Set.of() : loaded.generation().eosIds()),
          id -> {
            String delta = stream.accept(id);
            if (!json) out.print(delta);
          });
      String text = loaded.tokenizer().decode(r.tokens(), true);
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", dir.toString());
        m.put("prompt", o.prompt);
        m.put("prompt_tokens", ids.length);
        m.put("text", text);
        m.put("token_ids", r.tokens());
        m.put("finish_reason", r.finish().name().toLowerCase());
        m.put("time_to_first_token_ms", r.firstTokenNanos() / 1e6);
        m.put("tokens_per_second", r.tokensPerSecond());
        out.println(dev.fsgen.bench.Json.compact().toJson(m));
      } else {
        out.println(stream.flush());
        System.err.printf("%n[%d tokens, %.1f tokens/s, first token after %.1f ms, finished: %s]%n", r.tokens().length,
            r.tokensPerSecond(), r.firstTokenNanos() / 1e6, r.finish().name().toLowerCase());
      }
      return 0;
    }
  }
}
