package dev.fsgen.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** A small tokenizer trained once per test class on text that covers what the tests encode. */
public final class TokenizerFixture {
  static final int VOCAB = 600;

  private TokenizerFixture() {}

  static String trainingText() {
    StringBuilder sb = new StringBuilder();
    String[] sentences = {
      "The jury said it did find that many of the election laws are outmoded.",
      "In the beginning God created the heaven and the earth.",
      "And the earth was without form, and void; and darkness was upon the face of the deep.",
      "\"Only a relative handful of such reports was received\", the jury said.",
      "She didn't know what they'd said, but we'll see; you're right, I'm sure it's fine.",
      "Café, naïve, résumé, Привет мир, 日本語のテキスト, emoji 😀 and – dashes —.",
      "    indented    text   with   runs of spaces\tand\ttabs\n\n\nand blank lines",
    };
    for (int i = 0; i < 40; i++) {
      for (String s : sentences) sb.append(s).append('\n');
      sb.append(i * 37 % 1000).append(" + ").append(i * 91 % 1000).append(" = ").append(i * 37 % 1000 + i * 91 % 1000).append('\n');
    }
    // pseudo-words give enough distinct pairs for a few hundred merges
    String[] syllables = {"ka", "ro", "mi", "tel", "sun", "bra", "quo", "ve", "lin", "dor", "ash", "pe", "ny", "gru"};
    long state = 42;
    for (int i = 0; i < 3000; i++) {
      state = state * 6364136223846793005L + 1442695040888963407L;
      int n = 1 + (int) ((state >>> 60) % 4);
      sb.append(i % 12 == 0 ? '\n' : ' ');
      for (int k = 0; k < n; k++) sb.append(syllables[(int) ((state >>> (8 * k + 8)) & 0xFF) % syllables.length]);
    }
    return sb.append('\n').toString();
  }

  static BpeVocabulary train(int vocab) {
    return new BpeTrainer(vocab).addText(trainingText()).train();
  }

  static Path write(Path dir) throws IOException {
    return train(VOCAB).writeTo(dir);
  }

  /** A tokenizer of exactly {@code vocab} tokens written to {@code dir}; returns the tokenizer.json path. */
  public static Path write(Path dir, int vocab) throws IOException {
    return train(vocab).writeTo(dir);
  }
}
