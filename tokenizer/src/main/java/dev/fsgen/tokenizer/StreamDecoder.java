package dev.fsgen.tokenizer;

import java.util.Arrays;

/**
 * Turns generated ids into printable text deltas, one id at a time.
 *
 * <p>A byte-level token may end in the middle of a UTF-8 character; decoding it alone would give
 * U+FFFD. The decoder keeps a short window: it decodes the ids since the last emitted boundary with
 * and without the new id, emits the difference, and holds back while the decoded text still ends in
 * an incomplete character. Decoding a window rather than single ids also keeps tokenizers whose
 * decoders look at neighbours (SentencePiece's leading-space rule) correct. Special tokens are not
 * printed.
 */
public final class StreamDecoder {
  private static final char REPLACEMENT = '\uFFFD';

  private final TextTokenizer tokenizer;
  private int[] ids = new int[16];
  private int size;
  // ids[prefixStart, readStart) were printed already and give the decoding context for what follows
  private int prefixStart;
  private int readStart;

  StreamDecoder(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds one id; returns the text that became final (often empty while a character is split). */
  public String accept(int id) {
    if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
    ids[size++] = id;
    String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, readStart), true);
    String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, size), true);
    if (after.length() > before.length() && after.charAt(after.length() - 1) != REPLACEMENT) {
      String delta = after.substring(before.length());
      prefixStart = readStart;
      readStart = size;
      return delta;
    }
    return "";
  }

  /** What is still held back (an incomplete character at the end of generation), decoded as is. */
  public String flush() {
    String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, readStart), true);
    String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, size), true);
    prefixStart = readStart = size;
    return after.length() > before.length() ? after.substring(before.length()) : "";
  }

  /** Every id accepted so far. */
  public int[] ids() {
    return Arrays.copyOf(ids, size);
  }
}
