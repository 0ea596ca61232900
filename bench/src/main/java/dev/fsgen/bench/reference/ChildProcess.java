package dev.fsgen.bench.reference;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waiting for a reference tool run as a child process, within a time limit. */
final class ChildProcess {
  private ChildProcess() {}

  /**
   * Waits for {@code p} at most {@code limit}. A process that outlives it, or whose wait is
   * interrupted, is killed and reaped (for up to 10 s), so none is left running behind a failure.
   *
   * @return whether it finished within the limit
   * @throws IOException when the wait was interrupted (the interrupt is kept)
   */
  static boolean awaitOrKill(Process p, Duration limit, String what) throws IOException {
    try {
      if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) return true;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + what, e);
    }
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
