package dev.fsgen.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face layout on disk: {@code config.json}, {@code model.safetensors} (or shards listed in
 * {@code model.safetensors.index.json}), {@code tokenizer.json}, {@code generation_config.json}.
 * Tensors are decoded by DJL; this class checks them against the config and converts them to fp32.
 */
public final class Checkpoint {
  public static final String WEIGHTS = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";
  public static final String TOKENIZER = "tokenizer.json";
  /** Beside {@link #TOKENIZER}: the special tokens' names and the chat template. */
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  public static final String GENERATION = "generation_config.json";

  private Checkpoint() {}

  /**
   * Loads every tensor the config implies, as fp32, into {@code manager}. Throws
   * {@link ModelFormatException} naming the file and tensor on any mismatch; on failure nothing
   * stays allocated in {@code manager}.
   */
  public static Map<String, NDArray> loadWeights(Path dir, LlamaConfig config, NDManager manager) {
    Map<String, long[]> expected = TensorSpec.expected(config);
    Map<String, NDArray> out = new LinkedHashMap<>();
    NDManager staging = manager.newSubManager();
    boolean ok = false;
    try {
      for (Path file : weightFiles(dir)) {
        Map<String, SafetensorsHeader.Entry> header = header(file);
        checkEntries(file, header, expected);
        NDList list;
        try {
          if (Bfloat16Reader.needed(header)) {
            list = new NDList(Bfloat16Reader.read(file, header, SafetensorsHeader.dataStart(file), staging).values());
          } else {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
              list = NDList.decode(staging, in);
            }
          }
        } catch (IOException | RuntimeException e) {
          if (e instanceof ModelFormatException m) throw m;
          throw new ModelFormatException(file, "cannot decode safetensors: " + e.getMessage(), e);
        }
        for (NDArray a : list) {
          if (!expected.containsKey(a.getName())) continue;
          NDArray f32 = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
          f32.setName(a.getName());
          out.put(a.getName(), f32);
        }
      }
      requireAll(dir, config, expected, out.keySet());
      for (NDArray a : out.values()) a.attach(manager);
      ok = true;
      return out;
    } finally {
      staging.close();
      if (!ok) out.values().forEach(NDArray::close);
    }
  }

  /**
   * Every tensor the config implies, located in the checkpoint's files and checked against the
   * config, without reading any data: the Java decode path reads them in place, in their stored
   * dtype ({@link StoredTensor}). Throws {@link ModelFormatException} like {@link #loadWeights}.
   */
  public static Map<String, StoredTensor> locate(Path dir, LlamaConfig config) {
    Map<String, long[]> expected = TensorSpec.expected(config);
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    for (Path file : weightFiles(dir)) {
      Map<String, SafetensorsHeader.Entry> header = header(file);
      checkEntries(file, header, expected);
      long start;
      try {
        start = SafetensorsHeader.dataStart(file);
      } catch (IOException e) {
        throw new ModelFormatException(file, "unreadable: " + e.getMessage(), e);
      }
      header.forEach((name, t) -> {
        if (expected.containsKey(name)) out.put(name, new StoredTensor(file, name, t.dtype(), t.shape(), start + t.begin()));
      });
    }
    requireAll(dir, config, expected, out.keySet());
    return out;
  }

  private static void requireAll(Path dir, LlamaConfig config, Map<String, long[]> expected, Set<String> found) {
    Set<String> missing = new LinkedHashSet<>(expected.keySet());
    missing.removeAll(found);
    if (!missing.isEmpty()) {
      throw new ModelFormatException(dir.resolve(WEIGHTS), "missing tensors " + first(missing)
          + (config.tieWordEmbeddings() ? "" : " (config says tie_word_embeddings=false, so lm_head.weight is required)"));
    }
  }

  private static Map<String, SafetensorsHeader.Entry> header(Path file) {
    try {
      return SafetensorsHeader.read(file);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file, "missing");
    } catch (IOException e) {
      throw new ModelFormatException(file, "unreadable: " + e.getMessage(), e);
    }
  }

  private static void checkEntries(Path file, Map<String, SafetensorsHeader.Entry> header, Map<String, long[]> expected) {
    for (Map.Entry<String, SafetensorsHeader.Entry> e : header.entrySet()) {
      String name = e.getKey();
      long[] want = expected.get(name);
      if (want == null) {
        if (TensorSpec.ignorable(name)) continue;
        throw new ModelFormatException(file, "unexpected tensor '" + name + "': not part of this config's architecture");
      }
      SafetensorsHeader.Entry t = e.getValue();
      if (!SafetensorsHeader.isFloat(t.dtype())) {
        throw new ModelFormatException(file, "tensor '" + name + "' has dtype " + t.dtype() + "; supported: F32, F16, BF16");
      }
      if (!Arrays.equals(t.shape(), want)) {
        throw new ModelFormatException(file, "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
            + ", config.json implies " + Arrays.toString(want));
      }
    }
  }

  private static List<Path> weightFiles(Path dir) {
    Path index = dir.resolve(INDEX);
    if (!Files.exists(index)) return List.of(dir.resolve(WEIGHTS));
    try {
      JsonObject map = JsonParser.parseString(Files.readString(index)).getAsJsonObject().getAsJsonObject("weight_map");
      Set<String> shards = new LinkedHashSet<>();
      map.entrySet().forEach(e -> shards.add(e.getValue().getAsString()));
      List<Path> files = new ArrayList<>();
      for (String s : shards) {
        if (s.contains("/") || s.contains("\\") || s.startsWith(".")) {
          throw new ModelFormatException(index, "shard name '" + s + "' must be a plain file name in the model directory");
        }
        files.add(dir.resolve(s));
      }
      return files;
    } catch (IOException | RuntimeException e) {
      if (e instanceof ModelFormatException m) throw m;
      throw new ModelFormatException(index, "unreadable shard index: " + e.getMessage(), e);
    }
  }

  /**
   * Writes weights in the given dtype (fp32, fp16 or bf16) atomically: a temporary file is moved
   * into place so that a crash never leaves a half-written checkpoint behind.
   */
  /**
   * Copies {@code tokenizerJson} into {@code dir} as its {@link #TOKENIZER}, with the
   * {@link #TOKENIZER_CONFIG} beside it where there is one (without it a copy would lose the chat
   * template and the EOS token's name).
   */
  public static void copyTokenizer(Path tokenizerJson, Path dir) throws IOException {
    Path target = dir.resolve(TOKENIZER);
    if (tokenizerJson.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) return;
    Files.copy(tokenizerJson, target, StandardCopyOption.REPLACE_EXISTING);
    Path config = tokenizerJson.resolveSibling(TOKENIZER_CONFIG);
    if (Files.isRegularFile(config)) Files.copy(config, dir.resolve(TOKENIZER_CONFIG), StandardCopyOption.REPLACE_EXISTING);
  }

  public static void writeWeights(Path dir, Map<String, NDArray> weights, DataType dtype) throws IOException {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
      throw new IllegalArgumentException("checkpoint dtype must be float32, float16 or bfloat16, got " + dtype);
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve(WEIGHTS + ".tmp");
    if (dtype == DataType.BFLOAT16) {
      Bfloat16Writer.write(tmp, weights);
    } else try (NDManager scratch = weights.values().iterator().next().getManager().newSubManager()) {
      NDList list = new NDList();
      for (Map.Entry<String, NDArray> e : weights.entrySet()) {
        NDArray a = e.getValue().toType(dtype, true);
        a.attach(scratch);
        a.setName(e.getKey());
        list.add(a);
      }
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        list.encode(out, NDList.Encoding.SAFETENSORS);
      }
    }
    Files.move(tmp, dir.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String first(Set<String> names) {
    List<String> l = new ArrayList<>(names);
    return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " and " + (l.size() - 5) + " more";
  }
}
