package dev.fsgen.runtime.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full-size layout loads without an fp32 copy: a bf16 checkpoint shaped as Llama 3.2 1B
 * (1.24 B parameters, 2.5 GB, two shards; random weights written on the fly) is loaded to serve in
 * a JVM of its own, whose resident memory must stay within 1.2 x the files' size plus the KV cache.
 *
 * <p>Gated (it writes 2.5 GB and takes about a minute): {@code mvn -pl runtime -am test
 * -Dtest=LargeCheckpointTest -Dsurefire.failIfNoSpecifiedTests=false -Dfsgen.large=true}; add
 * {@code -Dfsgen.large.dir=DIR} to keep the checkpoint there (for {@code ./fsgen bench runtime --model DIR}).
 */
class LargeCheckpointTest {
  /** Llama 3.2 1B's published shape: 16 layers of 2048, GQA 32/8, 128256 tokens, tied, llama3 rope scaling. */
  static final LlamaConfig LLAMA_32_1B = new LlamaConfig("llama", 128256, 2048, 8192, 16, 32, 8, 64, 131072, 1e-5, 500000.0,
      true, false, 128000, 128001, new RopeScaling("llama3", 32, 1, 4, 8192));

  @Test
  void aBillionParameterBf16CheckpointLoadsWithinItsFileSize(@TempDir Path tmp) throws Exception {
    assumeTrue(Boolean.getBoolean("fsgen.large"), "writes a 2.5 GB checkpoint: run with -Dfsgen.large=true");
    assertTrue(LLAMA_32_1B.parameterCount() >= 1_000_000_000L);
    String keep = System.getProperty("fsgen.large.dir", "");
    Path dir = keep.isBlank() ? tmp.resolve("llama-3.2-1b-shaped") : Path.of(keep);
    long fileBytes = Files.exists(dir.resolve(Checkpoint.INDEX)) ? shardBytes(dir) : RandomBf16Checkpoint.write(dir, LLAMA_32_1B, 2, 1);

    Map<String, String> f = footprint(dir);
    long rss = Long.parseLong(f.get("rssAfterLoad"));
    long kv = Long.parseLong(f.get("kvBytes"));
    long bound = (long) (1.2 * fileBytes) + kv;
    System.out.printf(java.util.Locale.ROOT, "large checkpoint: %.0f M parameters, files %.0f MB, resident after load %.0f MB"
            + " (%.2f x files), after 8 steps %.0f MB, bound %.0f MB (1.2 x files + KV %.0f MB), load %s s, step %s ms%n",
        LLAMA_32_1B.parameterCount() / 1e6, fileBytes / 1e6, rss / 1e6, rss / (double) fileBytes,
        Long.parseLong(f.get("rssAfterSteps")) / 1e6, bound / 1e6, kv / 1e6, f.get("loadSeconds"), f.get("stepMs"));
    assertEquals("true", f.get("javaOnly"), "served from the Java decode path");
    assertTrue(rss <= bound, "resident " + rss + " bytes after loading exceeds " + bound);
    assertTrue(Long.parseLong(f.get("rssAfterSteps")) <= bound, "resident memory after decode steps exceeds " + bound);
  }

  private static Map<String, String> footprint(Path dir) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // the JVM flags fsgen serves with (the fsgen script, the images): a small young generation
    Process p = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmn24m",
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), LoadFootprint.class.getName(), dir.toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the loading JVM did not finish");
    assertEquals(0, p.exitValue(), "the loading JVM failed: " + out);
    Map<String, String> f = new HashMap<>();
    for (String kv : out.trim().split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) f.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return f;
  }

  private static long shardBytes(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
