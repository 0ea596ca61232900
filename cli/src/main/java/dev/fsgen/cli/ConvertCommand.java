package dev.fsgen.cli;

import dev.fsgen.runtime.model.Checkpoint;
import dev.fsgen.runtime.model.GgufExport;
import dev.fsgen.runtime.model.GgufWriter;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.WeightFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fsgen convert}: rewrite a checkpoint in another dtype (how the bundled System 2 is stored in
 * fp16), or as one GGUF file for llama.cpp ({@code --to gguf}).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = {"Load a model directory and write it again with weights in another dtype (tokenizer, generation_config.json and reports copied),",
        "or with --to gguf as one GGUF file llama.cpp loads (architecture llama, tokenizer included)."})
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Source model directory.")
  Path model;

  @Option(names = "--out", required = true, description = "Target model directory, or the .gguf file with --to gguf.")
  Path out;

  @Option(names = "--dtype", defaultValue = "float16", description = "float32, float16 or bfloat16 (f32, f16, bf16). Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Option(names = "--to", defaultValue = "safetensors", description = "safetensors (a model directory) or gguf (one file for llama.cpp). Default: ${DEFAULT-VALUE}.")
  String to;

  @Override
  public Integer call() throws Exception {
    String format = to.toLowerCase(java.util.Locale.ROOT);
    if (format.equals("gguf")) return gguf();
    if (!format.equals("safetensors")) throw new IllegalArgumentException("--to must be safetensors or gguf, got '" + to + "'");
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must differ from --model");
    }
    try (LlamaModel m = LlamaModel.load(model, WeightFormat.FP32)) { // converts the checkpoint's exact values
      m.save(out, Cli.dtype(dtype), model.resolve(Checkpoint.TOKENIZER));
    }
    // the checkpoint's own generation_config.json (its end-of-text list, its sampling) rather than the plain one save writes
    for (String kept : new String[] {"training.json", Checkpoint.GENERATION}) {
      Path file = model.resolve(kept);
      if (Files.exists(file)) Files.copy(file, out.resolve(kept), StandardCopyOption.REPLACE_EXISTING);
    }
    System.err.println("convert: wrote " + out + " (" + dtype + ")");
    return 0;
  }

  private int gguf() throws Exception {
    if (Files.isDirectory(out)) throw new IllegalArgumentException("--out must be a file with --to gguf, got the directory " + out);
    GgufExport.Summary s = GgufExport.write(model, out, GgufWriter.TensorType.parse(dtype));
    System.err.printf("convert: wrote %s (GGUF v3, %s, %d tensors, %d tokens, %.1f MB)%n", out, s.type(), s.tensors(),
        s.vocabulary(), s.bytes() / 1e6);
    System.err.println("convert: pre-tokenizer '" + s.preTokenizer().name() + "'" + (s.preTokenizer().exact() ? "" : " (NOT exact)")
        + ": " + s.preTokenizer().note());
    return 0;
  }
}
