package dev.fsgen.training;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * One domain's token stream (documents joined by end-of-text) with a sampling weight. Training
 * draws random windows from it; validation reads it in consecutive windows.
 */
public record TokenCorpus(String name, int[] tokens, double weight) {
  public TokenCorpus {
    if (tokens.length < 2) throw new IllegalArgumentException("corpus '" + name + "' has fewer than 2 tokens");
    if (!(weight >= 0)) throw new IllegalArgumentException("corpus '" + name + "' weight must be >= 0");
  }

  /** Fills one row of inputs and the next-token targets from a random offset. */
  void sample(Random rng, int seqLen, long[] inputs, long[] targets, int row) {
    int span = Math.min(seqLen, tokens.length - 1);
    int off = tokens.length - 1 - span <= 0 ? 0 : rng.nextInt(tokens.length - 1 - span);
    fill(off, span, seqLen, inputs, targets, row);
  }

  /** Consecutive windows, at most {@code max}, for a deterministic validation loss. */
  int windows(int seqLen, int max) {
    return Math.max(1, Math.min(max, (tokens.length - 1) / seqLen));
  }

  void window(int index, int seqLen, long[] inputs, long[] targets, int row) {
    int span = Math.min(seqLen, tokens.length - 1);
    fill(index * span, span, seqLen, inputs, targets, row);
  }

  /** Short corpora repeat their last token to fill a row; the loss then ignores nothing, which is acceptable for tiny tests only. */
  private void fill(int off, int span, int seqLen, long[] inputs, long[] targets, int row) {
    for (int i = 0; i < seqLen; i++) {
      int j = Math.min(off + i, off + span - 1);
      inputs[row * seqLen + i] = tokens[j];
      targets[row * seqLen + i] = tokens[j + 1];
    }
  }

  /** Token files are little-endian int32 with a count header, cached beside the text they come from. */
  public static void write(Path file, int[] tokens) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ByteBuffer buf = ByteBuffer.allocate(4 + 4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(tokens.length);
    for (int t : tokens) buf.putInt(t);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, buf.array());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  public static int[] read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int n = buf.getInt();
    if (buf.remaining() != 4L * n) throw new IOException(file + ": token file truncated (" + n + " tokens announced)");
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = buf.getInt();
    return t;
  }
}
