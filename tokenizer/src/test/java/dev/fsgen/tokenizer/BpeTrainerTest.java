package dev.fsgen.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BpeTrainerTest {
  @ParameterizedTest
  @ValueSource(ints = {258, 300, 600})
  void vocabularyHasExactlyTheRequestedSize(int size) {
    BpeVocabulary vocab = TokenizerFixture.train(size);
    assertEquals(size, vocab.size());
    JsonObject json = JsonParser.parseString(vocab.toTokenizerJson()).getAsJsonObject();
    JsonObject model = json.getAsJsonObject("model");
    assertEquals(size, model.getAsJsonObject("vocab").size());
    Set<Integer> ids = new HashSet<>();
    model.getAsJsonObject("vocab").entrySet().forEach(e -> ids.add(e.getValue().getAsInt()));
    for (int id = 0; id < size; id++) assertTrue(ids.contains(id), "id " + id + " missing");
  }

  @Test
  void writesTheExpectedTokenizerJsonShape() {
    JsonObject json = JsonParser.parseString(TokenizerFixture.train(300).toTokenizerJson()).getAsJsonObject();
    JsonObject model = json.getAsJsonObject("model");
    assertEquals("BPE", model.get("type").getAsString());
    assertEquals(false, model.get("ignore_merges").getAsBoolean());
    assertEquals(0, model.getAsJsonObject("vocab").get("<|endoftext|>").getAsInt());
    assertEquals(33, model.getAsJsonObject("vocab").get("Ġ").getAsInt()); // byte 0x20 is id 0x20 + 1
    assertEquals(300 - BpeTrainer.BASE_TOKENS, model.getAsJsonArray("merges").size());
    JsonObject eot = json.getAsJsonArray("added_tokens").get(0).getAsJsonObject();
    assertEquals("<|endoftext|>", eot.get("content").getAsString());
    assertTrue(eot.get("special").getAsBoolean());
    JsonObject pre = json.getAsJsonObject("pre_tokenizer");
    assertEquals("Sequence", pre.get("type").getAsString());
    JsonObject split = pre.getAsJsonArray("pretokenizers").get(0).getAsJsonObject();
    assertEquals(PreTokenizer.REGEX, split.getAsJsonObject("pattern").get("Regex").getAsString());
    assertEquals("Isolated", split.get("behavior").getAsString());
    JsonObject byteLevel = pre.getAsJsonArray("pretokenizers").get(1).getAsJsonObject();
    assertEquals(false, byteLevel.get("use_regex").getAsBoolean());
    assertEquals(false, byteLevel.get("add_prefix_space").getAsBoolean());
    assertEquals("ByteLevel", json.getAsJsonObject("decoder").get("type").getAsString());
    assertTrue(json.get("post_processor").isJsonNull());
  }

  @Test
  void isDeterministicAndIndependentOfDocumentOrder() {
    String a = "the cat sat on the mat\n", b = "then the theory thereof\n", c = "12 + 34 = 46\n";
    String one = new BpeTrainer(270).addText(a).addText(b).addText(c).train().toTokenizerJson();
    String two = new BpeTrainer(270).addText(c).addText(b).addText(a).train().toTokenizerJson();
    String three = new BpeTrainer(270).addText(a).addText(b).addText(c).train().toTokenizerJson();
    assertEquals(one, two);
    assertEquals(one, three);
    assertNotEquals(one, new BpeTrainer(270).addText(a + a).addText(b).addText(c + c + c).train().toTokenizerJson());
  }

  @Test
  void firstMergeIsTheMostFrequentPair() {
    BpeVocabulary vocab = new BpeTrainer(258).addText("ab ab ab ab cd cd").train();
    assertEquals("ab", new String(vocab.tokens().get(257)));
  }

  @Test
  void refusesWhenTheTextIsTooSmall() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new BpeTrainer(1000).addText("tiny text").train());
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(257));
  }
}
