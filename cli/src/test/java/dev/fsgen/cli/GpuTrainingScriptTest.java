package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.runtime.model.LlamaModel;
import dev.fsgen.runtime.model.ModelFamily;
import dev.fsgen.runtime.model.WeightFormat;
import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.Evaluation;
import dev.fsgen.training.TokenizedData;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/train-family-gpu.py} trains the family with PyTorch and transformers' Llama; what
 * it writes must be a model fsgen loads as it was trained. The differential check: the validation
 * loss the script measured with transformers equals the loss fsgen measures on the same windows of
 * the saved checkpoint. Needs a Python with torch and transformers ({@code FSGEN_PYTHON}, default
 * {@code python3}) and the prepared data; skipped without them.
 */
class GpuTrainingScriptTest {
  private static final Path ROOT = Cli.root();

  @Test
  void theScriptsModelsLoadInFsgenWithTheLossesItMeasured(@TempDir Path dir) throws Exception {
    Path data = ROOT.resolve("data");
    assumeTrue(Files.isRegularFile(data.resolve("manifest.json")), "no prepared data at " + data + " (./fsgen data)");
    String python = System.getenv().getOrDefault("FSGEN_PYTHON", "python3");
    assumeTrue(hasModules(dir, python),
        python + " lacks torch, transformers, safetensors or numpy (set FSGEN_PYTHON to one that has them)");

    DataLayout layout = new DataLayout(data);
    Path cache;
    try (TextTokenizer tokenizer = TextTokenizer.load(layout.requireTokenizer())) {
      for (Domain d : layout.domains()) {
        for (Split s : List.of(Split.TRAIN, Split.VAL)) TokenizedData.load(layout, tokenizer, d, s); // fills the token cache the script packs
      }
      cache = data.resolve("tokens").resolve(tokenizer.fingerprint().substring(0, 16));
    }
    Path script = ROOT.resolve("scripts/train-family-gpu.py");
    Path tokens = dir.resolve("tokens.npz");
    assertEquals(0, exitCode(dir, python, script.toString(), "pack", "--data", data.toString(), "--cache", cache.toString(),
        "--out", tokens.toString()), "pack failed: " + log(dir));
    // xs for 1% of its steps, weights kept in float32 so that the only difference left is the implementation
    assertEquals(0, exitCode(dir, python, script.toString(), "train", "--tokens", tokens.toString(), "--tokenizer",
        layout.requireTokenizer().getParent().toString(), "--out-dir", dir.resolve("family").toString(), "--sizes", "xs",
        "--tuned", "", "--distil", "", "--step-scale", "0.01", "--dtype", "float32", "--device", "cpu"), "train failed: " + log(dir));

    Path xs = dir.resolve("family/xs");
    JsonObject report = JsonParser.parseString(Files.readString(xs.resolve("training.json"))).getAsJsonObject();
    JsonObject measured = report.getAsJsonObject("validation_loss");
    try (LlamaModel model = LlamaModel.load(xs, WeightFormat.FP32);
         TextTokenizer tokenizer = TextTokenizer.load(xs)) {
      assertEquals(ModelFamily.XS.config(tokenizer.vocabSize(), tokenizer.eosId()), model.config());
      for (Domain d : layout.domains()) {
        double fsgen = Evaluation.meanLoss(model, TokenizedData.corpus(layout, tokenizer, d, Split.VAL, 1.0), 256, 16, 32);
        double script_ = measured.get(d.dirName()).getAsDouble();
        assertEquals(script_, fsgen, 1e-4 * script_, d + ": transformers measured " + script_ + ", fsgen " + fsgen);
      }
    }
  }

  /** Whether {@code python} runs and imports what the script needs (false where there is no such program). */
  private static boolean hasModules(Path dir, String python) throws InterruptedException {
    try {
      return exitCode(dir, python, "-c", "import torch, transformers, safetensors, numpy") == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static int exitCode(Path dir, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static String log(Path dir) throws IOException {
    Path f = dir.resolve("python.log");
    return Files.exists(f) ? Files.readString(f) : "(no output)";
  }
}
