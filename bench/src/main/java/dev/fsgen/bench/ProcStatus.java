package dev.fsgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's accounting of a process ({@code /proc/<pid>/status}): the JVM's own counters miss
 * libtorch's native allocations, which is where the weights live.
 */
public record ProcStatus(long rssBytes, long peakRssBytes, long rssAnonBytes, long rssFileBytes, int threads) {
  /** This process, now; every figure is -1 where the system does not provide it (not Linux). */
  public static ProcStatus read() {
    return read(Path.of("/proc/self/status"));
  }

  /** Another process, now (-1 figures once it has exited). */
  public static ProcStatus of(long pid) {
    return read(Path.of("/proc/" + pid + "/status"));
  }

  private static ProcStatus read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException | SecurityException e) {
      return new ProcStatus(-1, -1, -1, -1, -1);
    }
    Map<String, String> fields = new HashMap<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
    }
    return new ProcStatus(kib(fields.get("VmRSS")), kib(fields.get("VmHWM")), kib(fields.get("RssAnon")),
        kib(fields.get("RssFile")), (int) number(fields.get("Threads")));
  }

  // values read like "123456 kB"
  private static long kib(String value) {
    long n = number(value);
    return n < 0 ? -1 : n * 1024;
  }

  private static long number(String value) {
    if (value == null) return -1;
    String digits = value.split("\\s+")[0];
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
