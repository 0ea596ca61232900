package dev.fsgen.bench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The part of the Jlama harness that runs without Java 21: finding a usable JDK by its version. */
class JlamaReferenceTest {
  @Test
  void versionParsing() {
    assertEquals(25, JlamaReference.majorVersion("25.0.1"));
    assertEquals(21, JlamaReference.majorVersion("21"));
    assertEquals(17, JlamaReference.majorVersion("17.0.15+6"));
    assertEquals(8, JlamaReference.majorVersion("1.8.0_402"));
    assertEquals(-1, JlamaReference.majorVersion("abc"));
  }
}
