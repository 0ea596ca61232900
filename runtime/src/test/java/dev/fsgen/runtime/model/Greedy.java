package dev.fsgen.runtime.model;

import java.nio.file.Path;

/** Test helpers shared with the cross-checks: the greedy continuation as a server decodes it, and the repository root. */
final class Greedy {
  private Greedy() {}

  /** {@code n} argmax tokens after the prompt: the prompt as one block, then one-token steps. */
  static int[] continuation(LlamaModel m, int[] prompt, int n) {
    int[] out = new int[n];
    try (KvCache cache = m.newCache(1)) {
      float[] logits = m.next(prompt, cache);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
        out[i] = best;
        if (i + 1 < n) logits = m.next(new int[] {best}, cache);
      }
    }
    return out;
  }

  /** The repository root (surefire sets fsgen.root; a run from a module directory falls back to its parent). */
  static Path root() {
    return Path.of(System.getProperty("fsgen.root", "..")).toAbsolutePath().normalize();
  }
}
