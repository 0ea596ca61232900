package dev.fsgen.training.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable hashes for split assignment and seed derivation: SHA-256 depends on nothing but its input,
 * unlike {@code String.hashCode} mixing or JVM-specific random streams.
 */
public final class SeededHash {
  private SeededHash() {}

  /** A 64-bit hash of {@code (seed, key)}. */
  public static long of(long seed, String key) {
    byte[] digest = sha256(seed + "\u0000" + key);
    return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
  }

  static byte[] sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }
}
