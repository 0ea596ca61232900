package dev.fsgen.runtime.progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The progress line of a long job (training, the study, the benchmark suite): a bar, the count,
 * the elapsed time, the rate and an ETA. The rate and the ETA count only the work done in this
 * run, so a resumed job (see {@link #resumed}) says where it resumed and does not claim the earlier
 * runs' work as its own speed.
 *
 * <p>On a terminal the line is redrawn in place; anywhere else (a log file, CI, a test collecting
 * lines) each line is printed whole, at most once per {@link #every interval}, so logs stay
 * readable. Items may weigh differently ({@link #weighted}): the bar and the ETA then follow the
 * work, while the count stays in items.
 */
public final class Progress implements AutoCloseable {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final Consumer<String> lines;
  private final PrintStream terminal; // null unless the line is redrawn in place
  private final String label;
  private final String unit;
  private final long total;
  private final LongSupplier clock;
  private final long startNanos;
  private double totalWork;
  private long everyNanos;
  private long done;
  private double doneWork;
  private double resumedWork; // done before this run: not part of the rate
  private long resumedItems;
  private long lastPrint;
  private boolean printed;
  private String detail; // of the last item, for the bar drawn again under a note

  Progress(Consumer<String> lines, PrintStream terminal, String label, String unit, long total, LongSupplier clock) {
    if (total < 0) throw new IllegalArgumentException(label + ": total " + unit + "s < 0: " + total);
    this.lines = lines;
    this.terminal = terminal;
    this.label = label;
    this.unit = unit;
    this.total = total;
    this.totalWork = total;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  /**
   * Progress written to {@code out}, redrawn in place only where {@code out} is this process's
   * stderr and that is a terminal.
   *
   * @param unit what is counted, singular ("step", "measurement")
   */
  public static Progress to(PrintStream out, String label, String unit, long total) {
    return new Progress(out::println, out == System.err && stderrIsTerminal() ? out : null, label, unit, total, System::nanoTime);
  }

  /** Progress as whole lines to {@code lines} (a log, or a benchmark's progress consumer). */
  public static Progress lines(Consumer<String> lines, String label, String unit, long total) {
    return new Progress(lines, null, label, unit, total, System::nanoTime);
  }

  /**
   * Starts the progress line of one job. A job that is a part of a larger one (a benchmark of the
   * suite) is handed one, so that its caller decides where the line goes: a terminal or a log.
   */
  @FunctionalInterface
  public interface Sink {
    Progress start(String label, String unit, long total);
  }

  /** Each job's line on {@code out}, redrawn in place where that is this process's stderr and a terminal (see {@link #to}). */
  public static Sink sink(PrintStream out) {
    return (label, unit, total) -> to(out, label, unit, total);
  }

  /** Each job's line as whole lines to {@code lines}. */
  public static Sink sink(Consumer<String> lines) {
    return (label, unit, total) -> lines(lines, label, unit, total);
  }

  /** The items weigh differently: the bar and the ETA follow {@code totalWork}, added up by {@link #finished}. */
  public Progress weighted(double totalWork) {
    this.totalWork = totalWork;
    return this;
  }

  /** Where the line is printed whole, print it at most once per {@code interval} (the last item always shows). */
  public Progress every(Duration interval) {
    this.everyNanos = interval.toNanos();
    return this;
  }

  /**
   * The job resumes with {@code items} (weighing {@code work}) already done by an earlier run; says
   * so, and where from when {@code from} is not null.
   */
  public void resumed(long items, double work, Object from) {
    done = resumedItems = items;
    doneWork = resumedWork = work;
    note(String.format(Locale.ROOT, "resuming at %s %d of %d%s", unit, items, total, from == null ? "" : " from " + from));
  }

  /** {@code done} items of equal weight are finished; {@code detail} follows the count. */
  public void update(long done, String detail) {
    if (totalWork != total) throw new IllegalStateException(label + ": a weighted job counts with finished(work, detail)");
    this.done = done;
    this.doneWork = done;
    show(detail);
  }

  /** One more item, weighing {@code work}, is finished. */
  public void finished(double work, String detail) {
    done++;
    doneWork += work;
    show(detail);
  }

  /** A line of its own, never overwritten (evaluation results, checkpoints, warnings). */
  public void note(String message) {
    if (terminal != null && printed) {
      // the note above the bar, and the bar drawn again below it
      terminal.print("\r\u001b[K");
      lines.accept(label + ": " + message);
      terminal.print(line(clock.getAsLong(), detail) + "\u001b[K"); // as it stands now, items skipped by the redraw interval included
      terminal.flush();
      return;
    }
    lines.accept(label + ": " + message);
    printed = false;
  }

  /**
   * The job is over, finished or not: a line still being redrawn is ended, so that what is printed
   * next starts on a line of its own.
   */
  @Override
  public void close() {
    if (terminal != null && printed) {
      terminal.println();
      terminal.flush();
    }
    printed = false;
  }

  private void show(String detail) {
    this.detail = detail;
    long now = clock.getAsLong();
    boolean last = done >= total;
    long interval = terminal != null ? REDRAW_NANOS : everyNanos;
    if (!last && lastPrint != 0 && now - lastPrint < interval) return;
    lastPrint = now;
    String line = line(now, detail);
    if (terminal != null) {
      terminal.print("\r" + line + "\u001b[K");
      if (last) terminal.println();
      terminal.flush();
      printed = !last;
    } else {
      lines.accept(line);
    }
  }

  private String line(long now, String detail) {
    double seconds = (now - startNanos) / 1e9;
    double ran = doneWork - resumedWork;
    long ranItems = done - resumedItems;
    String eta = ran > 0 ? clock(seconds * Math.max(0, totalWork - doneWork) / ran) : "?";
    int filled = totalWork <= 0 ? WIDTH : (int) Math.round(WIDTH * Math.min(1.0, doneWork / totalWork));
    return String.format(Locale.ROOT, "%s [%s%s] %d/%d%s | %s elapsed, %s, ETA %s", label, "#".repeat(filled), "-".repeat(WIDTH - filled),
        done, total, detail == null || detail.isEmpty() ? "" : " " + detail, clock(seconds), rate(ranItems, seconds), eta);
  }

  private String rate(long items, double seconds) {
    if (items <= 0 || seconds <= 0) return "? " + unit + "s/s";
    double perSecond = items / seconds;
    if (perSecond >= 1) return String.format(Locale.ROOT, "%.1f %ss/s", perSecond, unit);
    double each = 1 / perSecond;
    return each < 60 ? String.format(Locale.ROOT, "%.1f s/%s", each, unit) : clock(each) + "/" + unit;
  }

  /** Seconds as 1h05m or 3m07s. */
  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60) : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  /**
   * Whether stderr is a terminal: as the launcher says ({@code -Dfsgen.stderr.terminal}), else as
   * this process sees it. Java 17 only tells whether stdin and stdout are ({@code System.console()}),
   * so where Linux shows what stderr is, a stderr redirected to a file counts as no terminal.
   */
  static boolean stderrIsTerminal() {
    // the ./fsgen launcher passes stderr through a filter (a pipe) and says what it was before
    String told = System.getProperty("fsgen.stderr.terminal");
    if (told != null) return Boolean.parseBoolean(told);
    if (System.console() == null) return false;
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true;
    }
  }
}
