package dev.fsgen.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own: loads a checkpoint to serve (the Java decode path only, bf16), takes a
 * few decode steps, and prints one line of figures, {@code key=value} separated by spaces: the
 * resident set after loading and after the steps, read from /proc, and the KV cache's bytes.
 */
public final class LoadFootprint {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long t0 = System.nanoTime();
    try (LlamaModel model = LlamaModel.load(dir, WeightFormat.BF16, true)) {
      double loadS = (System.nanoTime() - t0) / 1e9;
      long afterLoad = rss();
      LlamaConfig c = model.config();
      try (KvCache cache = model.newCache(1)) {
        long s0 = System.nanoTime();
        int token = 1;
        for (int i = 0; i < 8; i++) token = argmax(model.next(new int[] {token}, cache));
        double stepMs = (System.nanoTime() - s0) / 8e6;
        long kv = 2L * c.numLayers() * c.kvDim() * cache.capacity() * Float.BYTES;
        System.out.printf(java.util.Locale.ROOT, "javaOnly=%s loadSeconds=%.1f rssAfterLoad=%d rssAfterSteps=%d kvBytes=%d"
            + " packedBytes=%d stepMs=%.1f%n", model.javaOnly(), loadS, afterLoad, rss(), kv, model.decodeBytes(), stepMs);
      }
    }
  }

  static long rss() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
    }
    return -1;
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
    return best;
  }
}
