package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert --to gguf} and {@code bench llamacpp} on the command line. */
class LlamaCppCommandsTest {
  @Test
  void convertWritesAGgufFile(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("system1.gguf");
    CommandLineTest.Outcome o = CommandLineTest.run("convert", "--to", "gguf", "--dtype", "f32",
        "--model", Cli.root().resolve("models/system1").toString(), "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    byte[] head = new byte[8];
    try (var in = Files.newInputStream(out)) {
      assertEquals(8, in.read(head));
    }
    ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x46554747, b.getInt(), "GGUF magic");
    assertEquals(3, b.getInt(), "GGUF version");
  }

  @Test
  void badFormatsAndTypesNameTheOption(@TempDir Path dir) {
    String model = Cli.root().resolve("models/system1").toString();
    CommandLineTest.Outcome to = CommandLineTest.run("convert", "--to", "onnx", "--model", model, "--out", dir.resolve("x").toString());
    assertEquals(1, to.code());
    assertTrue(to.err().contains("--to"), to.err());
    CommandLineTest.Outcome type = CommandLineTest.run("convert", "--to", "gguf", "--dtype", "int8", "--model", model,
        "--out", dir.resolve("x.gguf").toString());
    assertEquals(1, type.code());
    assertTrue(type.err().contains("f32, f16 or bf16"), type.err());
    CommandLineTest.Outcome onDir = CommandLineTest.run("convert", "--to", "gguf", "--model", model, "--out", dir.toString());
    assertEquals(1, onDir.code());
    assertTrue(onDir.err().contains("--out"), onDir.err());
  }

  @Test
  void benchLlamaCppHasHelpAndJson() {
    CommandLineTest.Outcome o = CommandLineTest.run("bench", "llamacpp", "--help");
    assertEquals(0, o.code());
    assertTrue(o.out().contains("--json") && o.out().contains("--draft"), o.out());
    assertTrue(CommandLineTest.run("bench", "--help").out().contains("llamacpp"));
  }
}
