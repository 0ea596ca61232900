package dev.fsgen.cli;

import dev.fsgen.runtime.model.Checkpoint;
import dev.fsgen.runtime.model.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fsgen convert}: rewrite a checkpoint in another dtype (how the bundled System 2 is stored in fp16). */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Load a model directory and write it again with weights in another dtype (tokenizer and reports copied).")
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Source model directory.")
  Path model;

  @Option(names = "--out", required = true, description = "Target model directory.")
  Path out;

  @Option(names = "--dtype", defaultValue = "float16", description = "float32, float16 or bfloat16. Default: ${DEFAULT-VALUE}.")
  String dtype;

  @Override
  public Integer call() throws Exception {
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must differ from --model");
    }
    try (LlamaModel m = LlamaModel.load(model)) {
      m.save(out, Cli.dtype(dtype), model.resolve(Checkpoint.TOKENIZER));
    }
    Path report = model.resolve("training.json");
    if (Files.exists(report)) Files.copy(report, out.resolve("training.json"), StandardCopyOption.REPLACE_EXISTING);
    System.err.println("convert: wrote " + out + " (" + dtype + ")");
    return 0;
  }
}
