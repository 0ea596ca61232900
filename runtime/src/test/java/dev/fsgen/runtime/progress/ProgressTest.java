package dev.fsgen.runtime.progress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress line on a clock that the test moves: count, rate and ETA, resumption, throttling, redrawing. */
class ProgressTest {
  private long now = 1_000_000_000L;
  private final List<String> lines = new ArrayList<>();

  private Progress progress(String unit, long total, PrintStream terminal) {
    return new Progress(lines::add, terminal, "job", unit, total, () -> now);
  }

  private void advance(double seconds) {
    now += (long) (seconds * 1e9);
  }

  @Test
  void countRateAndEta() {
    Progress p = progress("step", 10, null);
    advance(5);
    p.update(5, "loss 1.000");
    advance(5);
    p.update(10, "");
    assertEquals(List.of(
        "job [############------------] 5/10 loss 1.000 | 0m05s elapsed, 1.0 steps/s, ETA 0m05s",
        "job [########################] 10/10 | 0m10s elapsed, 1.0 steps/s, ETA 0m00s"), lines);
  }

  @Test
  void aResumedJobSaysWhereAndTimesOnlyItsOwnWork() {
    Progress p = progress("step", 100, null);
    p.resumed(50, 50, "state/");
    advance(100);
    p.update(60, "");
    assertEquals("job: resuming at step 50 of 100 from state/", lines.get(0));
    // 10 steps in 100 s: 10 s a step, 40 steps left
    assertEquals("job [##############----------] 60/100 | 1m40s elapsed, 10.0 s/step, ETA 6m40s", lines.get(1));
  }

  @Test
  void weightedItemsMoveTheBarAndTheEtaByTheirWork() {
    Progress p = progress("measurement", 3, null).weighted(10);
    p.resumed(1, 5, null);
    advance(40);
    p.finished(4, "big one");
    assertEquals("job: resuming at measurement 1 of 3", lines.get(0));
    // 4 units of work in 40 s, 1 left
    assertEquals("job [######################--] 2/3 big one | 0m40s elapsed, 40.0 s/measurement, ETA 0m10s", lines.get(1));
    assertThrows(IllegalStateException.class, () -> p.update(3, ""));
    advance(3600);
    p.finished(1, "");
    assertTrue(lines.get(2).contains("1h00m elapsed, 30m20s/measurement, ETA 0m00s"), lines.get(2));
  }

  @Test
  void logLinesAreThrottledButTheLastAlwaysShows() {
    Progress p = progress("step", 100, null).every(Duration.ofSeconds(10));
    for (int i = 1; i <= 100; i++) {
      advance(1);
      p.update(i, "");
    }
    // the first, then one every 10 s, then the last
    assertEquals(11, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains(" 1/100 "), lines.get(0));
    assertTrue(lines.get(10).contains(" 100/100 "), lines.get(10));
    assertTrue(lines.stream().noneMatch(l -> l.contains("\r")), lines.toString());
  }

  /** A terminal that keeps what was drawn on it. */
  private static final class Screen {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream tty = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Override
    public String toString() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  private Progress onTerminal(Screen screen, long total) {
    return new Progress(screen.tty::println, screen.tty, "job", "step", total, () -> now);
  }

  @Test
  void aTerminalRedrawsOneLineAndKeepsNotes() {
    Screen screen = new Screen();
    Progress p = onTerminal(screen, 2);
    advance(1);
    p.update(1, "");
    p.note("checkpoint");
    advance(1);
    p.update(2, "");
    String s = screen.toString();
    assertEquals("\rjob [############------------] 1/2 | 0m01s elapsed, 1.0 steps/s, ETA 0m01s\u001b[K"
        + "\r\u001b[Kjob: checkpoint\n"
        + "job [############------------] 1/2 | 0m01s elapsed, 1.0 steps/s, ETA 0m01s\u001b[K" // the bar again, under the note
        + "\rjob [########################] 2/2 | 0m02s elapsed, 1.0 steps/s, ETA 0m00s\u001b[K\n", s);
  }

  /** The bar drawn again under a note counts the items finished since the last redraw, not the line drawn then. */
  @Test
  void theBarUnderANoteIsCurrent() {
    Screen screen = new Screen();
    Progress p = onTerminal(screen, 4);
    advance(1);
    p.update(1, "");
    p.update(2, ""); // within the redraw interval: not drawn
    p.note("result");
    String s = screen.toString();
    assertTrue(s.endsWith("job: result\njob [############------------] 2/4 | 0m01s elapsed, 2.0 steps/s, ETA 0m01s\u001b[K"), s);
  }

  /** A job that ends before its count (a part of the suite that stopped early) leaves no line open for what follows. */
  @Test
  void closingEndsALineStillBeingRedrawn() {
    Screen screen = new Screen();
    try (Progress p = onTerminal(screen, 3)) {
      advance(1);
      p.update(1, "");
    }
    assertTrue(screen.toString().endsWith("ETA 0m02s\u001b[K\n"), screen.toString());
    Screen finished = new Screen();
    try (Progress p = onTerminal(finished, 1)) {
      p.update(1, "");
    }
    assertEquals(1, finished.toString().split("\n", -1).length - 1, "a finished line is ended once");
  }

  @Test
  void aNegativeTotalIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> progress("step", -1, null));
    assertTrue(e.getMessage().contains("job"), e.getMessage());
  }
}
