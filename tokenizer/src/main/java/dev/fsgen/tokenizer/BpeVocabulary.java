package dev.fsgen.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A trained byte-level BPE: token {@code 0} is the special {@code <|endoftext|>}, tokens
 * {@code 1..256} are the bytes {@code 0x00..0xFF}, and the rest come from merges in the order they
 * were learned.
 *
 * @param tokens the bytes of every token, indexed by id; the special token holds its UTF-8 text
 * @param merges each learned merge as {@code {leftId, rightId}}, highest priority first
 */
public record BpeVocabulary(List<byte[]> tokens, List<int[]> merges) {
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final int END_OF_TEXT_ID = 0;

  /**
   * The chat template of the models trained on this tokenizer. They learn running text (documents
   * joined by end-of-text), not a chat format, so the conversation is written as text they can
   * continue: the end-of-text that opens a document, the system message as a line, {@code User:}
   * and {@code Assistant:} lines, and {@code Assistant:} as the cue for the answer.
   */
  public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
      + "{% if message['role'] == 'user' %}{{ 'User: ' }}{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' }}{% endif %}"
      + "{{ message['content'] | trim }}{{ '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

  public BpeVocabulary {
    tokens = List.copyOf(tokens);
    merges = List.copyOf(merges);
    if (tokens.size() < 257) {
      throw new IllegalArgumentException("a byte-level vocabulary needs at least 257 tokens, got " + tokens.size());
    }
  }

  public int size() {
    return tokens.size();
  }

  /** The token's spelling in {@code tokenizer.json}: byte-level characters, or the special's text. */
  public String spelling(int id) {
    return id == END_OF_TEXT_ID ? END_OF_TEXT : ByteLevel.encode(tokens.get(id));
  }

  /**
   * The Hugging Face {@code tokenizer.json}. Merges use the "left right" string form, which every
   * reader accepts (byte-level spellings never contain a space).
   */
  public String toTokenizerJson() {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);

    JsonArray added = new JsonArray();
    JsonObject eot = new JsonObject();
    eot.addProperty("id", END_OF_TEXT_ID);
    eot.addProperty("content", END_OF_TEXT);
    eot.addProperty("single_word", false);
    eot.addProperty("lstrip", false);
    eot.addProperty("rstrip", false);
    eot.addProperty("normalized", false);
    eot.addProperty("special", true);
    added.add(eot);
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);

    JsonObject split = new JsonObject();
    split.addProperty("type", "Split");
    JsonObject pattern = new JsonObject();
    pattern.addProperty("Regex", PreTokenizer.REGEX);
    split.add("pattern", pattern);
    split.addProperty("behavior", "Isolated");
    split.addProperty("invert", false);
    JsonObject byteLevel = new JsonObject();
    byteLevel.addProperty("type", "ByteLevel");
    byteLevel.addProperty("add_prefix_space", false);
    byteLevel.addProperty("trim_offsets", true);
    byteLevel.addProperty("use_regex", false);
    JsonArray sequence = new JsonArray();
    sequence.add(split);
    sequence.add(byteLevel);
    JsonObject preTokenizer = new JsonObject();
    preTokenizer.addProperty("type", "Sequence");
    preTokenizer.add("pretokenizers", sequence);
    root.add("pre_tokenizer", preTokenizer);
    // no post-processor: nothing is ever added around the text (BOS/EOS are the caller's choice)
    root.add("post_processor", JsonNull.INSTANCE);

    JsonObject decoder = new JsonObject();
    decoder.addProperty("type", "ByteLevel");
    decoder.addProperty("add_prefix_space", true);
    decoder.addProperty("trim_offsets", true);
    decoder.addProperty("use_regex", true);
    root.add("decoder", decoder);

    JsonObject model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("dropout", JsonNull.INSTANCE);
    model.add("unk_token", JsonNull.INSTANCE);
    model.add("continuing_subword_prefix", JsonNull.INSTANCE);
    model.add("end_of_word_suffix", JsonNull.INSTANCE);
    model.addProperty("fuse_unk", false);
    model.addProperty("byte_fallback", false);
    model.addProperty("ignore_merges", false);
    JsonObject vocab = new JsonObject();
    for (int id = 0; id < tokens.size(); id++) vocab.addProperty(spelling(id), id);
    model.add("vocab", vocab);
    JsonArray mergeList = new JsonArray();
    for (int[] merge : merges) mergeList.add(spelling(merge[0]) + " " + spelling(merge[1]));
    model.add("merges", mergeList);
    root.add("model", model);

    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  /**
   * The companion {@code tokenizer_config.json} that Hugging Face readers consult for the special
   * tokens ({@code <|endoftext|>} serves as BOS, EOS and padding) and the {@link #CHAT_TEMPLATE}.
   * The same for every vocabulary; the bundled models carry it beside their {@code tokenizer.json}.
   */
  public static String tokenizerConfigJson() {
    JsonObject config = new JsonObject();
    config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
    config.addProperty("bos_token", END_OF_TEXT);
    config.addProperty("eos_token", END_OF_TEXT);
    config.addProperty("pad_token", END_OF_TEXT);
    config.addProperty("add_bos_token", false);
    config.addProperty("add_eos_token", false);
    // decoding must give back the exact text, spaces before punctuation included
    config.addProperty("clean_up_tokenization_spaces", false);
    config.addProperty("chat_template", CHAT_TEMPLATE);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(config) + "\n";
  }

  /**
   * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (created if
   * needed), each through a temporary file so a reader never sees half a file.
   *
   * @return the path of {@code tokenizer.json}
   */
  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path json = dir.resolve("tokenizer.json");
    writeAtomically(json, toTokenizerJson());
    writeAtomically(dir.resolve("tokenizer_config.json"), tokenizerConfigJson());
    return json;
  }

  private static void writeAtomically(Path target, String text) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
