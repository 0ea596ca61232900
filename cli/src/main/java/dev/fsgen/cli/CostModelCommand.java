package dev.fsgen.cli;

import dev.fsgen.runtime.model.CostProfile;
import dev.fsgen.runtime.model.LlamaConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen cost-model}: a System 2 as costly as a large model that still gives the bundled
 * System 2's tokens ({@link CostProfile}), for measuring speculative decoding where the step is
 * bound by reading the weights.
 */
@Command(name = "cost-model", mixinStandardHelpOptions = true,
    description = {"Write a model with MODEL's logits at a larger model's cost.",
        "The cost comes from extra zero-output layers and a wider MLP with zero extra down-projection columns."})
public final class CostModelCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Source model directory. Default: <root>/models/system2.")
  Path model;

  @Option(names = "--out", description = "Target model directory. Default: <root>/work/models/system2-cost.")
  Path out;

  @Option(names = "--layers", defaultValue = "16", description = "Layers of the cost profile (at least the source's). Default: ${DEFAULT-VALUE}.")
  int layers;

  @Option(names = "--intermediate", defaultValue = "16384", description = "MLP intermediate size (at least the source's). Default: ${DEFAULT-VALUE}.")
  int intermediate;

  @Option(names = "--dtype", defaultValue = "bfloat16", description = "Stored dtype: float32, float16 or bfloat16. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random (cost-only) weights. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--json", description = "Print what was written as one JSON object on stdout (logs go to stderr).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path src = model != null ? model : Cli.root().resolve("models/system2");
    Path dst = out != null ? out : Cli.root().resolve("work/models/system2-cost");
    if (dst.toAbsolutePath().normalize().equals(src.toAbsolutePath().normalize())) throw new IllegalArgumentException("--out must differ from --model");
    System.err.println("cost-model: writing " + dst + " from " + src + " ...");
    LlamaConfig c = CostProfile.write(src, dst, layers, intermediate, Cli.dtype(dtype), seed);
    System.err.printf("cost-model: wrote %s: %d layers, intermediate %d, %.1f M parameters (%s)%n", dst, c.numLayers(),
        c.intermediateSize(), c.parameterCount() / 1e6, dtype);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", src.toString());
      m.put("out", dst.toString());
      m.put("layers", c.numLayers());
      m.put("intermediate", c.intermediateSize());
      m.put("parameters", c.parameterCount());
      m.put("dtype", dtype);
      System.out.println(dev.fsgen.bench.Json.compact().toJson(m));
    }
    return 0;
  }
}
