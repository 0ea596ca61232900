package dev.fsgen.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fsgen.tokenizer.TextTokenizer;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.Domain;
import dev.fsgen.training.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The general mixture a model trains on: the bundled data's Brown and arithmetic as the bundled
 * models were trained, the broad data's every text domain (the KJV and word problems included)
 * weighted by its tokens, with the arithmetic at its own weight.
 */
class GeneralMixtureTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));

  private static DataLayout layout(Path dir, String mixture, Map<Domain, String> train) throws IOException {
    StringBuilder splits = new StringBuilder();
    for (Domain d : train.keySet()) {
      Files.createDirectories(dir.resolve(d.dirName()));
      Files.writeString(dir.resolve(d.dirName()).resolve(Split.TRAIN.fileName()), train.get(d));
      splits.append(splits.length() == 0 ? "" : ", ").append('"').append(d.dirName()).append("\": {}");
    }
    Files.writeString(dir.resolve("manifest.json"), "{" + (mixture == null ? "" : "\"mixture\": \"" + mixture + "\", ")
        + "\"splits\": {" + splits + "}}");
    return new DataLayout(dir);
  }

  private static Map<Domain, String> texts() {
    Map<Domain, String> t = new LinkedHashMap<>();
    t.put(Domain.BROWN, "The jury said the election was conducted well.\n".repeat(30));
    t.put(Domain.KJV, "In the beginning God created the heaven and the earth.\n".repeat(10));
    t.put(Domain.ARITH, "12 + 30 = 42\n".repeat(20));
    t.put(Domain.SOTU, "Mr. Speaker, the state of the Union is strong.\n".repeat(5));
    t.put(Domain.WORDS, "Anna has 12 apples. She buys 4 more.\n12 + 4 = 16\nanswer: 16\n\n".repeat(8));
    return t;
  }

  @Test
  void broadDataTrainsOnEveryTextDomainInProportionToItsTokens(@TempDir Path dir) throws IOException {
    DataLayout broad = layout(dir, "broad", texts());
    try (TextTokenizer tokenizer = TextTokenizer.load(ROOT.resolve("models/system1/tokenizer.json"))) {
      List<TokenCorpus> corpora = GeneralMixture.corpora(broad, tokenizer, 0.25);
      Map<String, TokenCorpus> byName = corpora.stream().collect(Collectors.toMap(TokenCorpus::name, c -> c));
      assertEquals(List.of("brown", "kjv", "sotu", "words", "arith"), corpora.stream().map(TokenCorpus::name).toList());
      long text = 0;
      for (Domain d : List.of(Domain.BROWN, Domain.KJV, Domain.SOTU, Domain.WORDS)) text += byName.get(d.dirName()).tokens().length;
      for (Domain d : List.of(Domain.BROWN, Domain.KJV, Domain.SOTU, Domain.WORDS)) {
        TokenCorpus c = byName.get(d.dirName());
        assertEquals(0.75 * c.tokens().length / text, c.weight(), 1e-12, d.dirName());
        assertEquals(tokenizer.encode(texts().get(d)).length, c.tokens().length, 2, d.dirName() + " is its training split's text");
      }
      assertEquals(0.25, byName.get("arith").weight(), 1e-12);
      assertEquals(1.0, corpora.stream().mapToDouble(TokenCorpus::weight).sum(), 1e-12);
    }
  }

  @Test
  void bundledDataKeepsTheBundledModelsMixture(@TempDir Path dir) throws IOException {
    for (String mixture : new String[] {"bundled", null}) { // a manifest from before mixtures had names is the bundled one
      Path d = dir.resolve(String.valueOf(mixture));
      Map<Domain, String> t = texts();
      t.remove(Domain.SOTU);
      t.remove(Domain.WORDS);
      DataLayout bundled = layout(d, mixture, t);
      try (TextTokenizer tokenizer = TextTokenizer.load(ROOT.resolve("models/system1/tokenizer.json"))) {
        List<TokenCorpus> corpora = GeneralMixture.corpora(bundled, tokenizer, 0.25);
        assertEquals(List.of("brown", "arith"), corpora.stream().map(TokenCorpus::name).toList(), "the Bible stays out");
        assertEquals(0.75, corpora.get(0).weight(), 1e-12);
        assertEquals(List.of("brown"), GeneralMixture.corpora(bundled, tokenizer, 0).stream().map(TokenCorpus::name).toList());
        assertThrows(IllegalArgumentException.class, () -> GeneralMixture.corpora(bundled, tokenizer, 1));
      }
    }
  }
}
