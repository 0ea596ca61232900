package dev.fsgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ./fsgen launcher's stderr: the JVM's "Using incubator modules" warning is dropped, and
 * nothing else is touched. (Running ./fsgen itself would build and install the project, so the
 * JVM is started here the way the launcher starts it, through the same filter.)
 */
class LauncherStderrTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", "..")).toAbsolutePath().normalize();
  private static final Path FILTER = ROOT.resolve("scripts/without-incubator-warning.sh");
  private static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

  record Run(String out, String err) {}

  private static Run bash(String script, String input) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
    pb.environment().put("FILTER", FILTER.toString());
    pb.environment().put("JAVA", ProcessHandle.current().info().command().orElse("java"));
    pb.environment().put("CP", System.getProperty("java.class.path"));
    Process p = pb.start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), script);
    assertEquals(0, p.exitValue(), new String(err, StandardCharsets.UTF_8));
    return new Run(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void theJvmsIncubatorWarningIsDroppedAndItsOutputKept() throws Exception {
    // without the filter the JVM does print it: the test would pass for nothing otherwise
    Run raw = bash("\"$JAVA\" --add-modules jdk.incubator.vector -cp \"$CP\" dev.fsgen.cli.Main --version", "");
    assertTrue(raw.err().contains(WARNING), raw.err());
    Run filtered = bash("\"$JAVA\" --add-modules jdk.incubator.vector -cp \"$CP\" dev.fsgen.cli.Main --version 2> >(\"$FILTER\" >&2); wait $!", "");
    assertEquals("fsgen 0.1.0\n", filtered.out());
    assertEquals("", filtered.err());
  }

  @Test
  void everythingElsePassesByteForByte() throws Exception {
    String before = "Picked up JAVA_TOOL_OPTIONS: -Xss2m\n";
    // after the startup lines nothing is looked at: a later identical line, a redrawn progress bar, a last line without newline
    String after = "bench: starting\n" + WARNING + "\r[####----] 1/2\r[########] 2/2\nlast";
    assertEquals(before + after, bash("\"$FILTER\"", before + WARNING + "\n" + after).out());
    assertEquals("no warning at all\n" + WARNING + "\n", bash("\"$FILTER\"", "no warning at all\n" + WARNING + "\n").out());
    assertEquals("", bash("\"$FILTER\"", "").out());
  }

  @Test
  void theLauncherPassesTheJvmsStderrThroughTheFilter() throws IOException {
    String launcher = Files.readString(ROOT.resolve("fsgen"));
    String exec = launcher.substring(launcher.indexOf("\nexec java "));
    assertTrue(exec.contains("2> >(\"$root/scripts/without-incubator-warning.sh\" >&2)"), exec);
    assertTrue(exec.contains("-Dfsgen.stderr.terminal=\"$stderr_terminal\""), exec);
  }
}
