package dev.fsgen.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteLevelTest {
  @Test
  void matchesGpt2Alphabet() {
    // fixed points of GPT-2's bytes_to_unicode, familiar from every byte-level vocabulary
    assertEquals('Ā', ByteLevel.charOf(0));
    assertEquals('Ċ', ByteLevel.charOf('\n'));
    assertEquals('Ġ', ByteLevel.charOf(' '));
    assertEquals('!', ByteLevel.charOf('!'));
    assertEquals('~', ByteLevel.charOf('~'));
    assertEquals('ġ', ByteLevel.charOf(0x7F));
    assertEquals('Ń', ByteLevel.charOf(0xAD));
    assertEquals('ÿ', ByteLevel.charOf(0xFF));
  }

  @Test
  void isABijection() {
    Set<Character> seen = new HashSet<>();
    byte[] all = new byte[256];
    for (int b = 0; b < 256; b++) {
      seen.add(ByteLevel.charOf(b));
      all[b] = (byte) b;
    }
    assertEquals(256, seen.size());
    assertArrayEquals(all, ByteLevel.decode(ByteLevel.encode(all)));
  }

  @Test
  void rejectsForeignCharacters() {
    assertThrows(IllegalArgumentException.class, () -> ByteLevel.decode("a b"));
  }
}
