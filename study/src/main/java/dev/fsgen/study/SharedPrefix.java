package dev.fsgen.study;

import dev.fsgen.decoding.CachedSequence;
import dev.fsgen.decoding.InProcessModel;
import dev.fsgen.runtime.port.LocalLanguageModel;
import java.util.Arrays;
import java.util.List;

/**
 * A model whose sessions start from a prompt prefix read once. Every arithmetic prompt begins with
 * the same solved problems, every word-problem prompt with the same two worked solutions, and
 * reading them again for each problem and method was most of the cost of a short answer. A session
 * whose first block begins with the prefix gets a copy of the prefix's cache and its logits and
 * reads only the rest; any other session reads everything itself. The prefix's positions are then
 * computed in another block than a fresh session would compute them in, so scores may differ by
 * float rounding only ({@code SharedPrefixTest} checks every method's outputs against fresh sessions).
 */
final class SharedPrefix extends InProcessModel implements AutoCloseable {
  /** Shorter common prefixes are not worth a copy of the cache per session. */
  private static final int MIN_PREFIX = 8;

  private final LocalLanguageModel model;
  private final int[] prefix;
  /** The prefix, read once: each session that starts with it branches from here. */
  private final LocalLanguageModel.LocalSequence read;
  /** The logits after each prefix token: [prefix.length][vocab]. */
  private final float[][] rows;

  SharedPrefix(LocalLanguageModel model, int[] prefix) {
    if (prefix.length == 0) throw new IllegalArgumentException("the shared prefix must hold at least one token");
    this.model = model;
    this.prefix = prefix.clone();
    this.read = model.newSequence();
    this.rows = read.appendAll(this.prefix);
  }

  /** Whether a common prefix is long enough to be read once and branched from. */
  static boolean worthSharing(int[] prefix) {
    return prefix.length >= MIN_PREFIX;
  }

  /** The tokens every prompt of {@code prompts} begins with. */
  static int[] commonPrefix(List<Prompt> prompts) {
    if (prompts.isEmpty()) return new int[0];
    int[] first = prompts.get(0).tokens();
    int n = first.length;
    for (Prompt p : prompts) {
      int[] t = p.tokens();
      int i = 0;
      while (i < Math.min(n, t.length) && t[i] == first[i]) i++;
      n = i;
    }
    return Arrays.copyOf(first, n);
  }

  @Override
  public int vocabSize() {
    return model.vocabSize();
  }

  @Override
  public int contextLength() {
    return model.contextLength();
  }

  @Override
  protected CachedSequence newSequence() {
    return new Branch();
  }

  @Override
  public void close() {
    read.close();
  }

  private boolean startsWithPrefix(int[] tokens) {
    return tokens.length >= prefix.length && Arrays.equals(tokens, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** One session: branched from the prefix at its first block where that block begins with it. */
  private final class Branch implements CachedSequence {
    /** Null until the first block arrives. */
    private LocalLanguageModel.LocalSequence sequence;

    @Override
    public float[][] appendAll(int[] tokens) {
      if (sequence == null) {
        if (startsWithPrefix(tokens)) {
          sequence = read.fork();
          float[][] out = new float[tokens.length][]; // [tokens.length][vocab]
          for (int i = 0; i < prefix.length; i++) out[i] = rows[i].clone();
          if (tokens.length > prefix.length) {
            float[][] rest = sequence.appendAll(Arrays.copyOfRange(tokens, prefix.length, tokens.length));
            System.arraycopy(rest, 0, out, prefix.length, rest.length);
          }
          return out;
        }
        sequence = model.newSequence();
      }
      return sequence.appendAll(tokens);
    }

    @Override
    public void rollback(int length) {
      if (sequence != null) sequence.rollback(length);
      else if (length != 0) throw new IllegalArgumentException("rollback to " + length + " outside [0, 0]");
    }

    @Override
    public int length() {
      return sequence == null ? 0 : sequence.length();
    }

    @Override
    public void close() {
      if (sequence != null) sequence.close();
    }
  }
}
