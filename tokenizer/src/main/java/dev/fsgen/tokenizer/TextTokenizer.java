package dev.fsgen.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Text to token ids and back through a Hugging Face {@code tokenizer.json}, fsgen's own or a real
 * Llama/Qwen-family one.
 *
 * <p>Encoding never adds special tokens, never truncates and never pads: the caller decides where
 * BOS/EOS go, and a long text keeps every token (the Hugging Face default would silently cut it at
 * 512).
 *
 * <p>Encoding is safe from several threads. For a corpus, encode line by line or document by
 * document: one multi-megabyte string is slower than the same text in pieces (measured here about
 * 0.4–0.6 M tokens/s either way through the native library, so cache ids rather than re-encode).
 */
public final class TextTokenizer implements AutoCloseable {
  /** Looked for in this order when {@code tokenizer_config.json} does not name the EOS token. */
  private static final List<String> EOS_CANDIDATES =
      List.of("<|endoftext|>", "<|end_of_text|>", "</s>", "<|im_end|>", "<|eot_id|>", "<eos>");

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final int eosId;
  private final String fingerprint;
  private final Set<Integer> specialIds;

  private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer, Parsed parsed) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.vocabSize = parsed.vocabSize;
    this.eosId = parsed.eosId;
    this.fingerprint = parsed.fingerprint;
    this.specialIds = parsed.specialIds;
  }

  /**
   * Loads {@code tokenizer.json}, or the one inside a checkpoint directory.
   *
   * @throws TokenizerException naming the file when it is missing or not a usable tokenizer
   */
  public static TextTokenizer load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new TokenizerException("tokenizer file not found: " + file.toAbsolutePath() + " (run ./fsgen data to train one)");
    }
    Parsed parsed = parse(file);
    HuggingFaceTokenizer hf;
    try {
      // the Path overload: the String one resolves names against the model hub
      hf = HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .optPadding(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new TokenizerException("cannot load tokenizer " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    return new TextTokenizer(file, hf, parsed);
  }

  /** The token ids of {@code text}, with no special tokens added. */
  public int[] encode(String text) {
    if (text.isEmpty()) return new int[0];
    return toInts(tokenizer.encode(text, false, false).getIds());
  }

  /** Encodes several texts in one native call (parallel inside the tokenizer library). */
  public int[][] encodeAll(List<String> texts) {
    if (texts.isEmpty()) return new int[0][];
    Encoding[] encodings = tokenizer.batchEncode(texts, false, false);
    int[][] out = new int[encodings.length][];
    for (int i = 0; i < encodings.length; i++) out[i] = toInts(encodings[i].getIds());
    return out;
  }

  /** The exact text of {@code ids}, special tokens spelled out. */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  public String decode(int[] ids, boolean skipSpecialTokens) {
    if (ids.length == 0) return "";
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new IllegalArgumentException("token id %d at %d is outside the vocabulary [0, %d)".formatted(ids[i], i, vocabSize));
      }
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, skipSpecialTokens);
  }

  /** A decoder for generation: feed ids one at a time, print what it returns. */
  public StreamDecoder newStreamDecoder() {
    return new StreamDecoder(this);
  }

  /** One more than the largest id, counting added tokens. */
  public int vocabSize() {
    return vocabSize;
  }

  /**
   * The end-of-text id: {@code eos_token} of a {@code tokenizer_config.json} beside the file, or
   * else the first known EOS spelling in the vocabulary.
   *
   * @throws IllegalStateException if the tokenizer has none
   */
  public int eosId() {
    if (eosId < 0) throw new IllegalStateException("tokenizer " + file + " has no end-of-text token");
    return eosId;
  }

  /** Whether {@link #eosId()} has an answer. */
  public boolean hasEosId() {
    return eosId >= 0;
  }

  public boolean isSpecial(int id) {
    return specialIds.contains(id);
  }

  /**
   * SHA-256 (hex) of the vocabulary and merges in a canonical text form, so that two files that
   * tokenize alike compare equal whatever their formatting. A checkpoint records it to catch a model
   * paired with the wrong tokenizer.
   */
  public String fingerprint() {
    return fingerprint;
  }

  public Path path() {
    return file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
    return out;
  }

  private record Parsed(int vocabSize, int eosId, String fingerprint, Set<Integer> specialIds) {}

  private static Parsed parse(Path file) {
    JsonObject root;
    try {
      root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new TokenizerException("cannot read tokenizer " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new TokenizerException("tokenizer " + file.toAbsolutePath() + " is not valid JSON: " + e.getMessage(), e);
    }
    try {
      JsonObject model = root.getAsJsonObject("model");
      if (model == null || !model.has("vocab")) {
        throw new TokenizerException("tokenizer " + file.toAbsolutePath() + " has no model.vocab: not a tokenizer.json");
      }
      // id -> spelling; added tokens override nothing in well-formed files but count for the size
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
        byId.put(e.getValue().getAsInt(), e.getKey());
      }
      Set<Integer> specials = new HashSet<>();
      Map<String, Integer> added = new TreeMap<>();
      JsonArray addedTokens = root.has("added_tokens") && root.get("added_tokens").isJsonArray()
          ? root.getAsJsonArray("added_tokens") : new JsonArray();
      for (JsonElement element : addedTokens) {
        JsonObject token = element.getAsJsonObject();
        int id = token.get("id").getAsInt();
        String content = token.get("content").getAsString();
        byId.putIfAbsent(id, content);
        added.put(content, id);
        if (token.has("special") && token.get("special").getAsBoolean()) specials.add(id);
      }
      if (byId.isEmpty()) throw new TokenizerException("tokenizer " + file.toAbsolutePath() + " has an empty vocabulary");
      int vocabSize = byId.lastKey() + 1;

      List<String> merges = new ArrayList<>();
      if (model.has("merges") && model.get("merges").isJsonArray()) {
        for (JsonElement m : model.getAsJsonArray("merges")) {
          if (m.isJsonArray()) {
            JsonArray pair = m.getAsJsonArray();
            merges.add(pair.get(0).getAsString() + "\t" + pair.get(1).getAsString());
          } else {
            String s = m.getAsString();
            int space = s.indexOf(' ');
            merges.add(space < 0 ? s : s.substring(0, space) + "\t" + s.substring(space + 1));
          }
        }
      }
      String fingerprint = fingerprint(byId, merges);
      int eos = eosFromConfig(file, byId, added);
      if (eos < 0) {
        for (String candidate : EOS_CANDIDATES) {
          Integer id = added.get(candidate);
          if (id == null) id = idOf(byId, candidate);
          if (id != null) {
            eos = id;
            break;
          }
        }
      }
      return new Parsed(vocabSize, eos, fingerprint, Collections.unmodifiableSet(specials));
    } catch (TokenizerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TokenizerException("tokenizer " + file.toAbsolutePath() + " is malformed: " + e, e);
    }
  }

  private static int eosFromConfig(Path file, TreeMap<Integer, String> byId, Map<String, Integer> added) {
    Path config = file.resolveSibling("tokenizer_config.json");
    if (!Files.isRegularFile(config)) return -1;
    try {
      JsonObject root = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonElement eos = root.get("eos_token");
      if (eos == null || eos.isJsonNull()) return -1;
      String content = eos.isJsonObject() ? eos.getAsJsonObject().get("content").getAsString() : eos.getAsString();
      Integer id = added.get(content);
      if (id == null) id = idOf(byId, content);
      return id == null ? -1 : id;
    } catch (IOException | RuntimeException e) {
      throw new TokenizerException("tokenizer config " + config.toAbsolutePath() + " is malformed: " + e.getMessage(), e);
    }
  }

  private static Integer idOf(TreeMap<Integer, String> byId, String spelling) {
    for (Map.Entry<Integer, String> e : byId.entrySet()) {
      if (e.getValue().equals(spelling)) return e.getKey();
    }
    return null;
  }

  /** {@code id \t spelling} per line in id order, a blank line, then {@code left \t right} per merge. */
  static String fingerprint(TreeMap<Integer, String> byId, List<String> merges) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      StringBuilder line = new StringBuilder();
      for (Map.Entry<Integer, String> e : byId.entrySet()) {
        line.setLength(0);
        line.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
        sha.update(line.toString().getBytes(StandardCharsets.UTF_8));
      }
      sha.update((byte) '\n');
      for (String merge : merges) sha.update((merge + "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
