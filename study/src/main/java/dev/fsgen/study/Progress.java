package dev.fsgen.study;

import java.util.Locale;
import java.util.function.Consumer;

/** A progress line per finished task: a bar, the count, elapsed time and an ETA weighted by each task's estimated cost. */
final class Progress {
  private static final int WIDTH = 24;
  private final double totalCost;
  private final int totalTasks;
  private final Consumer<String> out;
  private final long start = System.nanoTime();
  private double doneCost;
  private double ranCost; // cost of the tasks run in this invocation, which the elapsed time measures
  private int done;

  Progress(double totalCost, int totalTasks, Consumer<String> out) {
    this.totalCost = totalCost;
    this.totalTasks = totalTasks;
    this.out = out;
  }

  void skipped(double cost) {
    doneCost += cost;
    done++;
  }

  void finished(double cost, String what) {
    doneCost += cost;
    ranCost += cost;
    done++;
    double elapsed = (System.nanoTime() - start) / 1e9;
    double eta = ranCost == 0 ? 0 : elapsed * (totalCost - doneCost) / ranCost;
    int filled = (int) Math.round(WIDTH * doneCost / totalCost);
    out.accept(String.format(Locale.ROOT, "study [%s%s] %d/%d %s | %s elapsed, ETA %s",
        "#".repeat(filled), "-".repeat(WIDTH - filled), done, totalTasks, what, clock(elapsed), clock(eta)));
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60) : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
