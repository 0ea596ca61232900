package dev.fsgen.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTokenizerTest {
  @TempDir static Path dir;
  static Path tokenizerJson;
  static TextTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    tokenizerJson = TokenizerFixture.write(dir);
    tokenizer = TextTokenizer.load(tokenizerJson);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "The jury said it did find that many of the election laws are outmoded.",
    "multiple   spaces    and\ttabs\t\t here   ",
    "   leading and trailing   ",
    "digits 0123456789 and 4321 - 1234 = 3087",
    "new\nlines\n\n\nand\r\nreturns\n",
    "Café naïve résumé — Привет мир, 日本語のテキスト, 😀👍🏽 ½ ١٢٣",
    "unseen words: zyxwvut qqqq ÆØÅ ß ǅ",
    "<|endoftext|> as plain text",
  })
  void roundTripsExactly(String text) {
    int[] ids = tokenizer.encode(text);
    assertEquals(text, tokenizer.decode(ids));
    for (int id : ids) assertTrue(id >= 0 && id < tokenizer.vocabSize());
  }

  @Test
  void encodesNothingAsNothing() {
    assertArrayEquals(new int[0], tokenizer.encode(""));
    assertEquals("", tokenizer.decode(new int[0]));
  }

  @Test
  void everyDigitIsItsOwnToken() {
    int[] ids = tokenizer.encode("1234567890");
    assertEquals(10, ids.length);
    for (int i = 0; i < ids.length; i++) assertEquals(String.valueOf("1234567890".charAt(i)), tokenizer.decode(new int[] {ids[i]}));
    // " 1" may be one token (space + digit), but never two digits together
    for (int id : tokenizer.encode("12 + 345 = 357")) {
      assertTrue(tokenizer.decode(new int[] {id}).chars().filter(Character::isDigit).count() <= 1);
    }
  }

  @Test
  void neverTruncatesLongText() {
    String text = "In the beginning God created the heaven and the earth. ".repeat(300);
    int[] ids = tokenizer.encode(text);
    assertTrue(ids.length > 1000, "only " + ids.length + " tokens");
    assertEquals(text, tokenizer.decode(ids));
  }

  @Test
  void addsNoSpecialTokens() {
    int[] ids = tokenizer.encode("hello");
    for (int id : ids) assertNotEquals(tokenizer.eosId(), id);
  }

  /**
   * A rendered chat prompt spells its special tokens out; encoding without adding special tokens
   * must still match them as added tokens, each one id, never pieces of "<", "|", "endoftext".
   */
  @Test
  void specialTokensWrittenInTheTextEncodeToTheirSingleId() {
    int eos = tokenizer.eosId();
    int[] ids = tokenizer.encode("user: hi<|endoftext|>assistant:<|endoftext|>");
    assertEquals(2, Arrays.stream(ids).filter(id -> id == eos).count());
    int[] before = tokenizer.encode("user: hi");
    assertArrayEquals(before, Arrays.copyOf(ids, before.length));
    assertEquals(eos, ids[before.length]);
    assertEquals(eos, ids[ids.length - 1]);
    assertEquals("user: hi<|endoftext|>assistant:<|endoftext|>", tokenizer.decode(ids));
  }

  @Test
  void batchEncodingMatchesSingleEncoding() {
    List<String> texts = List.of("one text", "12 + 30 = 42", "Привет");
    int[][] batch = tokenizer.encodeAll(texts);
    for (int i = 0; i < texts.size(); i++) assertArrayEquals(tokenizer.encode(texts.get(i)), batch[i]);
  }

  @Test
  void knowsItsSizeAndEndOfText() {
    assertEquals(TokenizerFixture.VOCAB, tokenizer.vocabSize());
    assertEquals(0, tokenizer.eosId());
    assertTrue(tokenizer.isSpecial(0));
    assertEquals("<|endoftext|>", tokenizer.decode(new int[] {0}));
    assertEquals("", tokenizer.decode(new int[] {0}, true));
    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {TokenizerFixture.VOCAB}));
  }

  @Test
  void fingerprintIgnoresFormattingButNotContent(@TempDir Path other) throws Exception {
    String fp = tokenizer.fingerprint();
    assertEquals(64, fp.length());
    // the same tokenizer written without pretty printing
    Path compact = other.resolve("compact.json");
    Files.writeString(compact, new Gson().toJson(JsonParser.parseString(Files.readString(tokenizerJson))));
    try (TextTokenizer same = TextTokenizer.load(compact)) {
      assertEquals(fp, same.fingerprint());
    }
    Path smaller = TokenizerFixture.train(400).writeTo(other.resolve("small"));
    try (TextTokenizer different = TextTokenizer.load(smaller)) {
      assertNotEquals(fp, different.fingerprint());
    }
  }

  @Test
  void loadsFromACheckpointDirectory() {
    try (TextTokenizer fromDir = TextTokenizer.load(dir)) {
      assertEquals(tokenizer.fingerprint(), fromDir.fingerprint());
    }
  }

  @Test
  void namesAMissingFile(@TempDir Path empty) {
    Path missing = empty.resolve("nope/tokenizer.json");
    TokenizerException e = assertThrows(TokenizerException.class, () -> TextTokenizer.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void namesAMalformedFile(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("tokenizer.json");
    Files.writeString(broken, "{ \"model\": ", StandardCharsets.UTF_8);
    TokenizerException e = assertThrows(TokenizerException.class, () -> TextTokenizer.load(broken));
    assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    Files.writeString(broken, "{ \"version\": \"1.0\" }", StandardCharsets.UTF_8);
    e = assertThrows(TokenizerException.class, () -> TextTokenizer.load(broken));
    assertTrue(e.getMessage().contains("model.vocab"), e.getMessage());
  }

  @Test
  void streamDecoderHoldsBackSplitCharacters() {
    String text = "Café 日本語 😀 end: Привет!";
    StreamDecoder decoder = tokenizer.newStreamDecoder();
    StringBuilder printed = new StringBuilder();
    int heldBack = 0;
    for (int id : tokenizer.encode(text)) {
      String delta = decoder.accept(id);
      assertFalse(delta.contains("\uFFFD"), "printed a broken character: " + delta);
      if (delta.isEmpty()) heldBack++;
      printed.append(delta);
    }
    printed.append(decoder.flush());
    assertEquals(text, printed.toString());
    assertTrue(heldBack > 0, "the multi-byte characters should have been split across tokens");
  }

  @Test
  void streamDecoderAssemblesAFourByteCharacterFromSingleBytes() {
    byte[] utf8 = "😀".getBytes(StandardCharsets.UTF_8);
    StreamDecoder decoder = tokenizer.newStreamDecoder();
    assertEquals("a", decoder.accept(tokenizer.encode("a")[0]));
    for (int i = 0; i < 3; i++) assertEquals("", decoder.accept((utf8[i] & 0xFF) + 1)); // byte b is id b + 1
    assertEquals("😀", decoder.accept((utf8[3] & 0xFF) + 1));
    assertEquals(" b", decoder.accept(tokenizer.encode(" b")[0]));
    assertEquals("", decoder.accept(0)); // end of text prints nothing
  }

  @Test
  void streamDecoderFlushesAnIncompleteTail() {
    StreamDecoder decoder = tokenizer.newStreamDecoder();
    assertEquals("", decoder.accept(0xE6 + 1)); // first byte of a three-byte character
    assertEquals("\uFFFD", decoder.flush());
  }
}
