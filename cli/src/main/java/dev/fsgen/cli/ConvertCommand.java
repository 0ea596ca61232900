package dev.fsgen.cli;

import dev.fsgen.bench.Json;
import dev.fsgen.runtime.model.Checkpoint;
import dev.fsgen.runtime.model.GgufExport;
import dev.fsgen.runtime.model.GgufWriter;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.WeightFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen convert}: rewrite a checkpoint in another dtype (how the bundled System 2 is stored in
 * fp16), or as one GGUF file for llama.cpp ({@code --to gguf}).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = {"Rewrite a model in another dtype, or as a GGUF file.",
        "Loads a model directory and writes it again with weights in another dtype (tokenizer, generation_config.json and",
        "reports copied), or with --to gguf as one GGUF file llama.cpp loads (architecture llama, tokenizer included)."})
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Source model directory.")
  Path model;

  @Option(names = "--out", required = true, description = "Target model directory, or the .gguf file with --to gguf.")
  Path out;

  @Option(names = "--dtype", defaultValue = "float16", description = "float32, float16 or bfloat16 (f32, f16, bf16). Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--to", defaultValue = "safetensors", description = "safetensors (a model directory) or gguf (one file for llama.cpp). Default: ${DEFAULT-VALUE}.")
  String to;

  @Option(names = "--json", description = "Print what was written as one JSON object on stdout (logs go to stderr).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    String format = to.toLowerCase(java.util.Locale.ROOT);
    if (format.equals("gguf")) return gguf();
    if (!format.equals("safetensors")) throw new IllegalArgumentException("--to must be safetensors or gguf, got '" + to + "'");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must differ from --model");
    }
    long parameters;
    try (LlamaModel m = LlamaModel.load(model, WeightFormat.FP32)) { // converts the checkpoint's exact values
      m.save(out, Cli.dtype(dtype), model.resolve(Checkpoint.TOKENIZER));
      parameters = m.config().parameterCount();
    }
    // the checkpoint's own generation_config.json (its end-of-text list, its sampling) rather than the plain one save writes
    for (String kept : new String[] {"training.json", Checkpoint.GENERATION}) {
      Path file = model.resolve(kept);
      if (Files.exists(file)) Files.copy(file, out.resolve(kept), StandardCopyOption.REPLACE_EXISTING);
    }
    System.err.println("convert: wrote " + out + " (" + dtype + ")");
    if (json) {
      Map<String, Object> m = summary("safetensors");
      m.put("parameters", parameters);
      m.put("bytes", Files.size(out.resolve("model.safetensors")));
      System.out.println(Json.compact().toJson(m));
    }
    return 0;
  }

  private int gguf() throws Exception {
    if (Files.isDirectory(out)) throw new IllegalArgumentException("--out must be a file with --to gguf, got the directory " + out);
    GgufExport.Summary s = GgufExport.write(model, out, GgufWriter.TensorType.parse(dtype));
    System.err.printf("convert: wrote %s (GGUF v3, %s, %d tensors, %d tokens, %.1f MB)%n", out, s.type(), s.tensors(),
        s.vocabulary(), s.bytes() / 1e6);
    System.err.println("convert: pre-tokenizer '" + s.preTokenizer().name() + "'" + (s.preTokenizer().exact() ? "" : " (NOT exact)")
        + ": " + s.preTokenizer().note());
    if (json) {
      Map<String, Object> m = summary("gguf");
      m.put("tensor_type", s.type().toString());
      m.put("tensors", s.tensors());
      m.put("vocabulary", s.vocabulary());
      m.put("bytes", s.bytes());
      m.put("pre_tokenizer", s.preTokenizer().name());
      m.put("pre_tokenizer_exact", s.preTokenizer().exact());
      System.out.println(Json.compact().toJson(m));
    }
    return 0;
  }

  private Map<String, Object> summary(String format) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model.toString());
    m.put("out", out.toString());
    m.put("format", format);
    m.put("dtype", dtype);
    return m;
  }
}
