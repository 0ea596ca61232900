package dev.fsgen.runtime.model;

import com.google.gson.JsonParser;
import dev.fsgen.decoding.SamplingParams;
import dev.fsgen.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a checkpoint says about generating from it beyond the architecture: the tokens that end a
 * text and the sampling a request that names none gets.
 *
 * @param eosIds every end-of-text token of the checkpoint, each once, in this order: the
 *     tokenizer's EOS, then {@code config.json}'s {@code eos_token_id}, then {@code
 *     generation_config.json}'s. Published checkpoints spread them over the three: Llama 3.1
 *     Instruct lists three ids in both files, Qwen2.5 Instruct two in {@code
 *     generation_config.json} and one in {@code config.json}; a model stops on any of them.
 * @param sampling {@code generation_config.json}'s sampling ({@link GenerationConfig#sampling()}):
 *     greedy unless it sets {@code do_sample}
 */
public record GenerationDefaults(Set<Integer> eosIds, SamplingParams sampling) {
  public GenerationDefaults {
    eosIds = Collections.unmodifiableSet(new LinkedHashSet<>(eosIds));
  }

  /**
   * The primary end-of-text token: the first of {@link #eosIds()}, which is the tokenizer's EOS
   * when it has one (what a single id has always meant), or -1 when the checkpoint names none.
   */
  public int primaryEosId() {
    return eosIds.isEmpty() ? -1 : eosIds.iterator().next();
  }

  /**
   * Reads the end-of-text tokens and the sampling defaults of checkpoint {@code dir}, whose config
   * and tokenizer are given. An id outside the vocabulary, or a field of the wrong kind, is a
   * {@link ModelFormatException} naming the file and the field.
   */
  public static GenerationDefaults read(Path dir, LlamaConfig config, TextTokenizer tokenizer) {
    Set<Integer> eos = new LinkedHashSet<>();
    if (tokenizer.hasEosId()) eos.add(tokenizer.eosId());
    eos.addAll(configEosIds(dir.resolve(LlamaConfig.FILE), config.vocabSize()));
    GenerationConfig generation = GenerationConfig.read(dir, config);
    eos.addAll(generation.eosTokenIds());
    return new GenerationDefaults(eos, generation.sampling());
  }

  /** Every id of {@code config.json}'s eos_token_id ({@link LlamaConfig} keeps only the first). */
  private static List<Integer> configEosIds(Path file, int vocabSize) {
    try {
      List<Integer> ids = GenerationConfig.tokenIds(JsonParser.parseString(Files.readString(file)).getAsJsonObject()
          .get("eos_token_id"), "config field 'eos_token_id'");
      GenerationConfig.checkVocabulary(ids, "config field 'eos_token_id'", vocabSize);
      return ids;
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
  }
}
