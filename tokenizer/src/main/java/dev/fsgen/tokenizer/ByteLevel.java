package dev.fsgen.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's reversible mapping between bytes and printable characters ({@code bytes_to_unicode}).
 *
 * <p>Byte-level BPE vocabularies store every token as text; this alphabet gives each of the 256
 * bytes a visible, non-whitespace character so that a token string never contains a space or a
 * control character and every byte sequence has exactly one spelling.
 */
public final class ByteLevel {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) printable[b] = true;
    for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
    for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      char c = printable[b] ? (char) b : (char) (256 + shifted++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The character that stands for byte {@code b} (0–255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** Spells a byte sequence in the byte-level alphabet. */
  public static String encode(byte[] bytes) {
    return encode(bytes, 0, bytes.length);
  }

  public static String encode(byte[] bytes, int from, int to) {
    char[] out = new char[to - from];
    for (int i = from; i < to; i++) out[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    return new String(out);
  }

  /**
   * The bytes a byte-level token string stands for.
   *
   * @throws IllegalArgumentException if a character is outside the alphabet
   */
  public static byte[] decode(String token) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException(
            "character U+%04X at %d of %s is not in the byte-level alphabet".formatted((int) c, i, token));
      }
      out.write(b);
    }
    return out.toByteArray();
  }
}
