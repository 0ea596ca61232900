package dev.fsgen.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreTokenizerTest {
  @TempDir static Path dir;
  static Path tokenizerJson;

  @BeforeAll
  static void train() throws Exception {
    tokenizerJson = TokenizerFixture.write(dir);
  }

  @Test
  void splitsLikeGpt2ButDigitByDigit() {
    assertEquals(List.of("Hello", ",", " world", "!"), PreTokenizer.split("Hello, world!"));
    assertEquals(List.of("1", "2", "3", "4", " +", " 5", "6", " =", " 1", "2", "9", "0"), PreTokenizer.split("1234 + 56 = 1290"));
    assertEquals(List.of("I", "'m", " sure", " it", "'s", " they", "'ll"), PreTokenizer.split("I'm sure it's they'll"));
    // a run of spaces keeps its last space for the next word
    assertEquals(List.of("a", "  ", " b"), PreTokenizer.split("a   b"));
    // as in GPT-2, the whitespace run before a word gives up its last character as a piece of its own
    assertEquals(List.of("x", "\n", "\n", "y"), PreTokenizer.split("x\n\ny"));
    assertEquals(List.of("end", "  "), PreTokenizer.split("end  "));
  }

  @Test
  void piecesConcatenateToTheInput() {
    String text = TokenizerFixture.trainingText();
    assertEquals(text, String.join("", PreTokenizer.split(text)));
  }

  /** The pieces the Hugging Face tokenizer makes, read from its word ids. */
  static List<String> huggingFacePieces(HuggingFaceTokenizer hf, String text) {
    Encoding encoding = hf.encode(text, false, false);
    long[] wordIds = encoding.getWordIds();
    String[] tokens = encoding.getTokens();
    List<String> pieces = new ArrayList<>();
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    long word = Long.MIN_VALUE;
    for (int i = 0; i < tokens.length; i++) {
      if (wordIds[i] != word && current.size() > 0) {
        pieces.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      }
      word = wordIds[i];
      current.writeBytes(ByteLevel.decode(tokens[i]));
    }
    if (current.size() > 0) pieces.add(current.toString(StandardCharsets.UTF_8));
    return pieces;
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Hello, world! It's 12:45 and they've paid $1,234.56 (approx.).",
    "  leading spaces and trailing   ",
    "tabs\tand\t\tnewlines\n\n  indented\r\nwindows",
    "I'M SHOUTING, don't   you   see?!?",
    "naïve café — Привет, 日本語のテキスト ١٢٣ ½ 😀😀 x",
    "9876 - 5432 = 4444\n12 + 7 = 19\n",
    "\u00a0non-breaking\u2003em space\u3000ideographic",
    "'s'S'll ''quotes'' ``old``",
  })
  void javaSplitMatchesTokenizerJsonRegex(String text) throws Exception {
    try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
        .optTokenizerPath(tokenizerJson).optAddSpecialTokens(false).optTruncation(false).optPadding(false).build()) {
      assertEquals(PreTokenizer.split(text), huggingFacePieces(hf, text));
    }
  }
}
