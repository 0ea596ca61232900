package dev.fsgen.runtime.train;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line progress bar for long jobs: on a terminal it redraws in place; elsewhere (logs, CI)
 * it prints a line at most every few seconds so that logs stay readable.
 */
public final class Progress {
  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean tty;
  private final long startNanos = System.nanoTime();
  private final long startDone;
  private long lastPrint;

  public Progress(PrintStream out, String label, long total, long alreadyDone) {
    this.out = out;
    this.label = label;
    this.total = total;
    this.startDone = alreadyDone;
    this.tty = System.console() != null;
  }

  public void update(long done, String detail) {
    long now = System.nanoTime();
    boolean last = done >= total;
    if (!last && now - lastPrint < (tty ? 200_000_000L : 10_000_000_000L)) return;
    lastPrint = now;
    double secs = (now - startNanos) / 1e9;
    double rate = (done - startDone) / Math.max(secs, 1e-9);
    long eta = rate > 0 ? (long) ((total - done) / rate) : -1;
    int width = 24;
    int filled = (int) (width * Math.min(1.0, (double) done / total));
    String bar = "#".repeat(filled) + "-".repeat(width - filled);
    String line = String.format("%s [%s] %d/%d %s | %s elapsed, ETA %s", label, bar, done, total, detail,
        format((long) secs), eta < 0 ? "?" : format(eta));
    if (tty) {
      out.print("\r" + line + "\u001b[K");
      if (last) out.println();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** A line that should not be overwritten (evaluation results, checkpoints). */
  public void note(String message) {
    if (tty) out.print("\r\u001b[K");
    out.println(label + ": " + message);
    out.flush();
  }

  static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
        : String.format("%dm%02ds", d.toMinutesPart(), d.toSecondsPart());
  }
}
