package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand answers --help, and bad input gets a one-line message naming the option, never a stack trace. */
class CommandLineTest {
  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"data", "train", "family", "eval", "local", "generate", "demo", "serve", "router", "convert", "bench"}) {
      Outcome o = run(sub, "--help");
      assertEquals(0, o.code(), sub);
      assertTrue(o.out().contains("Usage: fsgen " + sub), sub + ": " + o.out());
    }
    assertTrue(run("bench", "runtime", "--help").out().contains("--json"));
  }

  @Test
  void badValuesNameTheOption(@TempDir Path dir) {
    assertError(run("train", "--size", "huge", "--out", dir.toString()), "--size");
    assertError(run("local", "--max-tokens", "0", "--model", dir.toString()), "--max-tokens");
    assertError(run("local", "--temperature", "-1", "--model", dir.toString()), "temperature");
    assertError(run("local", "--top-p", "1.5", "--model", dir.toString()), "top_p");
    assertError(run("local", "--model", dir.resolve("missing").toString()), "not a model directory");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--domain", "kjv", "--data", dir.toString()), "--init");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--dtype", "int8"), "--dtype");
    assertError(run("eval", "--problems", "0"), "--problems");
    assertError(run("train", "--size", "m", "--out", dir.toString(), "--data", dir.toString()), "run ./fsgen data");
  }

  private static void assertError(Outcome o, String expected) {
    assertNotEquals(0, o.code(), o.err());
    assertTrue(o.err().contains(expected), "expected '" + expected + "' in: " + o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
  }
}
