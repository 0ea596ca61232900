package dev.fsgen.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The split that runs before BPE: GPT-2's pattern with one change, a number piece holds a single
 * digit ({@code \p{N}} instead of {@code \p{N}+}), so that every number is spelled digit by digit
 * and arithmetic sees a regular alphabet.
 *
 * <p>{@link #REGEX} is written verbatim into {@code tokenizer.json} as a {@code Split} pre-tokenizer
 * with behaviour {@code Isolated}; the trainer splits with the same pattern here, so what it learns
 * is exactly what the Hugging Face tokenizer will see when encoding.
 */
public final class PreTokenizer {
  public static final String REGEX =
      "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  // Oniguruma's \s is Unicode white space; Java's is ASCII unless asked
  private static final Pattern PATTERN = Pattern.compile(REGEX, Pattern.UNICODE_CHARACTER_CLASS);

  private PreTokenizer() {}

  /** The pieces of {@code text} in order; their concatenation is {@code text}. */
  public static List<String> split(CharSequence text) {
    List<String> pieces = new ArrayList<>();
    forEachPiece(text, pieces::add);
    return pieces;
  }

  /**
   * Streams the pieces without collecting them. Text between matches (none with this pattern, but
   * {@code Isolated} keeps it) is passed on as its own piece, as the Hugging Face split does.
   */
  public static void forEachPiece(CharSequence text, Consumer<String> sink) {
    Matcher m = PATTERN.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) sink.accept(text.subSequence(last, m.start()).toString());
      if (m.end() > m.start()) sink.accept(text.subSequence(m.start(), m.end()).toString());
      last = m.end();
    }
    if (last < text.length()) sink.accept(text.subSequence(last, text.length()).toString());
  }
}
