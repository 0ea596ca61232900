package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  static final LlamaConfig CONFIG = TransformerTest.GQA;
  static final int[] PROMPT = {3, 1, 4, 1, 5, 9, 2, 6};

  private static float[] logits(LlamaModel m) {
    try (KvCache c = m.newCache(1)) {
      return m.next(PROMPT, c);
    }
  }

  @Test
  void roundTripsInEveryDtype(@TempDir Path dir) throws IOException {
    try (LlamaModel m = LlamaModel.random(CONFIG, 5)) {
      float[] want = logits(m);
      for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16}) {
        Path d = dir.resolve(t.name());
        m.save(d, t, null);
        try (LlamaModel back = LlamaModel.load(d)) {
          assertEquals(CONFIG, back.config());
          float tol = t == DataType.FLOAT32 ? 0f : t == DataType.FLOAT16 ? 2e-3f : 2e-2f;
          assertArrayEquals(want, logits(back), tol, t.name());
        }
      }
    }
  }

  /** A saved model (a conversion, a trained model) keeps its tokenizer's config, chat template included; without one it has none. */
  @Test
  void savingCopiesTheTokenizerWithItsConfig(@TempDir Path dir) throws IOException {
    Path bundled = Path.of(System.getProperty("fsgen.root", "..")).resolve("models/system2");
    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.copy(bundled.resolve(Checkpoint.TOKENIZER), bare.resolve(Checkpoint.TOKENIZER));
    try (LlamaModel m = LlamaModel.random(CONFIG, 5)) {
      m.save(dir.resolve("with"), DataType.FLOAT32, bundled.resolve(Checkpoint.TOKENIZER));
      m.save(dir.resolve("without"), DataType.FLOAT32, bare.resolve(Checkpoint.TOKENIZER));
    }
    for (String f : new String[] {Checkpoint.TOKENIZER, Checkpoint.TOKENIZER_CONFIG}) {
      assertArrayEquals(Files.readAllBytes(bundled.resolve(f)), Files.readAllBytes(dir.resolve("with").resolve(f)), f);
    }
    assertTrue(Files.isRegularFile(dir.resolve("without").resolve(Checkpoint.TOKENIZER)));
    assertFalse(Files.exists(dir.resolve("without").resolve(Checkpoint.TOKENIZER_CONFIG)));
  }

  @Test
  void badCheckpointsNameTheFileAndTheTensorOrField(@TempDir Path dir) throws IOException {
    Path good = dir.resolve("good");
    try (LlamaModel m = LlamaModel.random(CONFIG, 6)) {
      m.save(good, DataType.FLOAT32, null);
    }
    // missing directory and missing weights
    assertMessage(dir.resolve("nope"), "not a model directory");
    Path noWeights = copy(good, dir.resolve("noweights"));
    Files.delete(noWeights.resolve(Checkpoint.WEIGHTS));
    assertMessage(noWeights, "model.safetensors: missing");

    // truncated weights: the last tensor's bytes are gone
    Path truncated = copy(good, dir.resolve("truncated"));
    byte[] bytes = Files.readAllBytes(truncated.resolve(Checkpoint.WEIGHTS));
    Files.write(truncated.resolve(Checkpoint.WEIGHTS), java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertMessage(truncated, "truncated");

    // garbage header
    Path corrupt = copy(good, dir.resolve("corrupt"));
    Files.write(corrupt.resolve(Checkpoint.WEIGHTS), "definitely not safetensors".getBytes(StandardCharsets.UTF_8));
    assertMessage(corrupt, "corrupt safetensors header");

    // config that disagrees with the tensors: the shape message names the tensor
    Path wrongShape = copy(good, dir.resolve("shape"));
    editConfig(wrongShape, o -> o.addProperty("intermediate_size", 40));
    assertMessage(wrongShape, "mlp.gate_proj.weight' has shape [48, 32], config.json implies [40, 32]");

    // unsupported architecture fields
    Path act = copy(good, dir.resolve("act"));
    editConfig(act, o -> o.addProperty("hidden_act", "gelu"));
    assertMessage(act, "hidden_act");
    Path type = copy(good, dir.resolve("type"));
    editConfig(type, o -> o.addProperty("model_type", "gpt2"));
    assertMessage(type, "model_type");
    Path scaling = copy(good, dir.resolve("scaling"));
    editConfig(scaling, o -> o.add("rope_scaling", JsonParser.parseString("{\"type\":\"dynamic\",\"factor\":2.0}")));
    assertMessage(scaling, "rope_scaling");
    Path missingField = copy(good, dir.resolve("field"));
    editConfig(missingField, o -> o.remove("hidden_size"));
    assertMessage(missingField, "'hidden_size' is missing");

    // a tensor of the wrong dtype: rewrite the header's dtype of the first tensor as I32
    Path intWeights = copy(good, dir.resolve("int"));
    rewriteHeader(intWeights.resolve(Checkpoint.WEIGHTS), h -> h.replaceFirst("\"F32\"", "\"I32\""));
    assertMessage(intWeights, "supported: F32, F16, BF16");

    // untied config but no lm_head in the file
    Path tied = dir.resolve("tied");
    try (LlamaModel m = LlamaModel.random(TransformerTest.QWEN, 7)) {
      m.save(tied, DataType.FLOAT32, null);
    }
    editConfig(tied, o -> o.addProperty("tie_word_embeddings", false));
    assertMessage(tied, "lm_head.weight");
  }

  private static void assertMessage(Path dir, String expected) {
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaModel.load(dir).close());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    assertTrue(e.getMessage().contains(dir.getFileName().toString()), "message names the file: " + e.getMessage());
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
    }
    return to;
  }

  private static void editConfig(Path dir, java.util.function.Consumer<JsonObject> edit) throws IOException {
    Path f = dir.resolve(LlamaConfig.FILE);
    JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
    edit.accept(o);
    Files.writeString(f, o.toString());
  }

  /** Rewrites the JSON header in place, padding with spaces so that offsets stay valid. */
  private static void rewriteHeader(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int n = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
    byte[] edited = edit.apply(header).getBytes(StandardCharsets.UTF_8);
    assertEquals(n, edited.length, "edit must keep the header length");
    System.arraycopy(edited, 0, bytes, 8, n);
    Files.write(file, bytes);
  }
}
