package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.bench.reference.LlamaCpp;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled System 2 converted to GGUF and run by llama.cpp's own tools: llama.cpp reads back the
 * hyperparameters and tokenizer, splits text into fsgen's tokens, and continues prompts greedily
 * with exactly fsgen's text. Skipped, with the reason, where the tools are not built
 * ({@code scripts/build-llama-cpp.sh}).
 */
class GgufLlamaCppTest {
  static final int GREEDY = 32;
  @TempDir static Path dir;
  static LlamaCpp tools;
  static Path model;
  private static Path f32;

  /** The bundled System 2 as F32 GGUF, converted once; skips the test where the tools or the model are missing. */
  static synchronized Path f32() throws IOException {
    assumeTrue(LlamaCpp.find().isPresent(), "llama.cpp comparison skipped: " + LlamaCpp.unavailableReason());
    tools = LlamaCpp.find().get();
    model = Greedy.root().resolve("models/system2");
    assumeTrue(Files.exists(model.resolve(Checkpoint.WEIGHTS)), "no bundled model at " + model);
    if (f32 == null) {
      Path file = dir.resolve("system2-f32.gguf");
      GgufExport.write(model, file, GgufWriter.TensorType.F32);
      f32 = file;
    }
    return f32;
  }

  @Test
  void llamaCppReadsTheKeyFieldsBack() throws IOException {
    Path f32 = f32();
    LlamaConfig c = LlamaConfig.read(model);
    LlamaCpp.Run run = tools.greedyRun(f32, "The", 1);
    Map<String, String> info = LlamaCpp.modelInfo(run.stderr());
    assertEquals("llama", info.get("arch"), info.toString());
    assertEquals(String.valueOf(c.maxPositionEmbeddings()), info.get("n_ctx_train"));
    assertEquals(String.valueOf(c.hiddenSize()), info.get("n_embd"));
    assertEquals(String.valueOf(c.numLayers()), info.get("n_layer"));
    assertEquals(String.valueOf(c.numHeads()), info.get("n_head"));
    assertEquals(String.valueOf(c.numKvHeads()), info.get("n_head_kv"));
    assertEquals(String.valueOf(c.headDim()), info.get("n_rot"));
    assertEquals(String.valueOf(c.headDim()), info.get("n_embd_head_k"));
    assertEquals(String.valueOf(c.intermediateSize()), info.get("n_ff"));
    assertEquals(c.rmsNormEps(), Double.parseDouble(info.get("f_norm_rms_eps")), 1e-12);
    assertEquals(c.ropeTheta(), Double.parseDouble(info.get("freq_base_train")), 1e-6);
    assertEquals("BPE", info.get("vocab type"));
    assertEquals(String.valueOf(c.vocabSize()), info.get("n_vocab"));
    assertTrue(info.get("EOS token").startsWith(c.eosTokenId() + " '<|endoftext|>'"), info.get("EOS token"));
  }

  @Test
  void llamaCppTokenizesAsFsgenDoes() throws IOException {
    Path f32 = f32();
    String[] texts = {
      "The history of the city", "27 + 15 = 42", "It's 1,234 apples  and\n  12 pears.", "In 1776, they'll say: \"no\"!",
      "And the LORD spake unto Moses, saying,", "  leading and trailing  ", "x=3.14159; y=-2e10"};
    try (TextTokenizer tok = TextTokenizer.load(model)) {
      for (String t : texts) assertArrayEquals(tok.encode(t), tools.tokenize(f32, t), "tokens of '" + t + "'");
    }
  }

  @Test
  void llamaCppGreedyTextEqualsFsgens() throws IOException {
    Path f32 = f32();
    String[] prompts = {"The history of the city", "She looked at the", "27 + 15 =", "And the LORD spake unto"};
    try (LlamaModel m = LlamaModel.load(model, WeightFormat.FP32); TextTokenizer tok = TextTokenizer.load(model)) {
      for (String p : prompts) {
        int[] ids = tok.encode(p);
        int[] all = greedy(m, ids, GREEDY, tok.eosId());
        assertEquals(tok.decode(all), tools.greedy(f32, p, GREEDY), "greedy continuation of '" + p + "'");
      }
    }
  }

  /** The prompt followed by at most {@code n} argmax tokens, stopping before the end-of-text token. */
  static int[] greedy(LlamaModel m, int[] prompt, int n, int eos) {
    int[] out = Arrays.copyOf(prompt, prompt.length + n);
    int len = prompt.length;
    try (KvCache cache = m.newCache(1)) {
      int[] feed = prompt;
      for (int i = 0; i < n; i++) {
        float[] logits = m.next(feed, cache);
        int best = 0;
        for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
        if (best == eos) break;
        out[len++] = best;
        feed = new int[] {best};
      }
    }
    return Arrays.copyOf(out, len);
  }
}
