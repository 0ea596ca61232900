package dev.fsgen.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Trains a byte-level BPE vocabulary of an exact size.
 *
 * <p>Text is split by {@link PreTokenizer} (merges never cross a piece), identical pieces are
 * counted once with their frequency, and merges are learned greedily: the most frequent adjacent
 * pair becomes a new token. Pair counts are kept up to date incrementally, touching only the pieces
 * that hold the merged pair, with a lazily revalidated priority queue, so a merge costs time in
 * proportion to where the pair occurs rather than to the corpus.
 *
 * <p>Ties go to the pair with the smaller (left, right) ids, so the same text always yields the
 * same vocabulary. When a merge spells a token that already exists (reached by another split of
 * the same bytes) the merge is kept and points at the existing token; training runs until the
 * vocabulary holds exactly {@code vocabSize} tokens.
 */
public final class BpeTrainer {
  public static final int DEFAULT_VOCAB_SIZE = 4096;
  /** Token 0 plus one token per byte value. */
  public static final int BASE_TOKENS = 257;

  private final int vocabSize;
  private final Map<String, long[]> pieceCounts = new HashMap<>();
  private long textBytes;
  private Consumer<String> progress = message -> {};

  public BpeTrainer(int vocabSize) {
    if (vocabSize <= BASE_TOKENS) {
      throw new IllegalArgumentException(
          "vocabulary size must exceed %d (special token + 256 bytes), got %d".formatted(BASE_TOKENS, vocabSize));
    }
    this.vocabSize = vocabSize;
  }

  /** Receives a line now and then while training (for a progress display). */
  public BpeTrainer onProgress(Consumer<String> sink) {
    this.progress = sink;
    return this;
  }

  public int vocabSize() {
    return vocabSize;
  }

  /** Bytes of text added so far (UTF-8). */
  public long textBytes() {
    return textBytes;
  }

  /** Adds text as one document: pieces are counted, so order and repetition only change counts. */
  public BpeTrainer addText(CharSequence text) {
    PreTokenizer.forEachPiece(text, piece -> pieceCounts.computeIfAbsent(piece, p -> new long[1])[0]++);
    textBytes += text.toString().getBytes(StandardCharsets.UTF_8).length;
    return this;
  }

  /** Adds a UTF-8 text file as one document. */
  public BpeTrainer addFile(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "tokenizer training text is missing");
    }
    return addText(text);
  }

  public BpeVocabulary train() {
    long start = System.nanoTime();
    // distinct pieces in a fixed order: the HashMap's iteration order must not leak into ids
    String[] pieces = pieceCounts.keySet().toArray(new String[0]);
    Arrays.sort(pieces);
    int wordCount = pieces.length;
    int[][] words = new int[wordCount][];
    int[] lengths = new int[wordCount];
    long[] freq = new long[wordCount];
    for (int w = 0; w < wordCount; w++) {
      byte[] bytes = pieces[w].getBytes(StandardCharsets.UTF_8);
      int[] symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) symbols[i] = (bytes[i] & 0xFF) + 1;
      words[w] = symbols;
      lengths[w] = symbols.length;
      freq[w] = pieceCounts.get(pieces[w])[0];
    }

    List<byte[]> tokens = new ArrayList<>(vocabSize);
    Map<String, Integer> idBySpelling = new HashMap<>();
    tokens.add(BpeVocabulary.END_OF_TEXT.getBytes(StandardCharsets.UTF_8));
    for (int b = 0; b < 256; b++) {
      byte[] single = {(byte) b};
      idBySpelling.put(ByteLevel.encode(single), tokens.size());
      tokens.add(single);
    }

    Map<Long, long[]> pairCounts = new HashMap<>();
    Map<Long, IntList> wordsWithPair = new HashMap<>();
    for (int w = 0; w < wordCount; w++) {
      int[] s = words[w];
      for (int i = 0; i + 1 < lengths[w]; i++) {
        long pair = pairKey(s[i], s[i + 1]);
        pairCounts.computeIfAbsent(pair, p -> new long[1])[0] += freq[w];
        wordsWithPair.computeIfAbsent(pair, p -> new IntList()).addOnce(w);
      }
    }
    PriorityQueue<Candidate> queue = new PriorityQueue<>(Candidate.ORDER);
    pairCounts.forEach((pair, count) -> queue.add(new Candidate(count[0], pair)));

    List<int[]> merges = new ArrayList<>(vocabSize - BASE_TOKENS);
    Set<Long> mergedPairs = new HashSet<>();
    int[] visited = new int[wordCount];
    int round = 0;
    int reported = tokens.size();
    while (tokens.size() < vocabSize) {
      Candidate top = queue.poll();
      if (top == null) {
        throw new IllegalStateException(
            "the training text allows only %d tokens, %d were asked for: add more text or lower the vocabulary size (%d bytes, %d distinct pieces)"
                .formatted(tokens.size(), vocabSize, textBytes, wordCount));
      }
      long[] current = pairCounts.get(top.pair);
      long count = current == null ? 0 : current[0];
      if (count != top.count) {
        // stale entry: a lower count is requeued; a higher one already has its own entry
        if (count > 0 && count < top.count) queue.add(new Candidate(count, top.pair));
        continue;
      }
      int left = (int) (top.pair >>> 32);
      int right = (int) top.pair;
      byte[] merged = concat(tokens.get(left), tokens.get(right));
      String spelling = ByteLevel.encode(merged);
      Integer existing = idBySpelling.get(spelling);
      int newId;
      if (existing != null) {
        newId = existing;
      } else {
        newId = tokens.size();
        tokens.add(merged);
        idBySpelling.put(spelling, newId);
      }
      // a pair can come back when one of its tokens is re-formed later; Hugging Face's BPE applies
      // it at its first rank anyway, so the words are rewritten but the merge is not listed twice
      if (mergedPairs.add(top.pair)) merges.add(new int[] {left, right});

      round++;
      Map<Long, long[]> delta = new HashMap<>();
      IntList occurrences = wordsWithPair.remove(top.pair);
      for (int k = 0; k < occurrences.size; k++) {
        int w = occurrences.values[k];
        if (visited[w] == round) continue;
        visited[w] = round;
        applyMerge(words, lengths, w, freq[w], left, right, newId, delta, wordsWithPair);
      }
      pairCounts.remove(top.pair);
      delta.remove(top.pair);
      for (Map.Entry<Long, long[]> change : delta.entrySet()) {
        long d = change.getValue()[0];
        if (d == 0) continue;
        long[] c = pairCounts.computeIfAbsent(change.getKey(), p -> new long[1]);
        c[0] += d;
        if (c[0] <= 0) {
          pairCounts.remove(change.getKey());
        } else if (d > 0) {
          queue.add(new Candidate(c[0], change.getKey()));
        }
      }
      if (tokens.size() - reported >= 512 || tokens.size() == vocabSize) {
        reported = tokens.size();
        progress.accept(
            "bpe: %d/%d tokens, %d merges, %.1f s".formatted(
                tokens.size(), vocabSize, merges.size(), (System.nanoTime() - start) / 1e9));
      }
    }
    return new BpeVocabulary(tokens, merges);
  }

  /**
   * Rewrites word {@code w} with every non-overlapping (left, right) replaced, left to right as BPE
   * encoding does, and records the change in pair counts.
   */
  private static void applyMerge(
      int[][] words, int[] lengths, int w, long freq, int left, int right, int newId,
      Map<Long, long[]> delta, Map<Long, IntList> wordsWithPair) {
    int[] s = words[w];
    int n = lengths[w];
    boolean present = false;
    for (int i = 0; i + 1 < n; i++) {
      if (s[i] == left && s[i + 1] == right) {
        present = true;
        break;
      }
    }
    if (!present) return; // the index keeps words whose pair was merged away since
    for (int i = 0; i + 1 < n; i++) add(delta, pairKey(s[i], s[i + 1]), -freq);
    int j = 0;
    for (int i = 0; i < n; ) {
      // safe in place: the write index never passes the read index
      if (i + 1 < n && s[i] == left && s[i + 1] == right) {
        s[j++] = newId;
        i += 2;
      } else {
        s[j++] = s[i++];
      }
    }
    lengths[w] = j;
    for (int i = 0; i + 1 < j; i++) {
      long pair = pairKey(s[i], s[i + 1]);
      add(delta, pair, freq);
      // only pairs with the new token are new to this word; the others are indexed already
      if (s[i] == newId || s[i + 1] == newId) wordsWithPair.computeIfAbsent(pair, p -> new IntList()).addOnce(w);
    }
  }

  private static void add(Map<Long, long[]> delta, long pair, long amount) {
    delta.computeIfAbsent(pair, p -> new long[1])[0] += amount;
  }

  private static long pairKey(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private record Candidate(long count, long pair) {
    // most frequent first; ties to the smaller (left, right)
    static final Comparator<Candidate> ORDER =
        Comparator.comparingLong(Candidate::count).reversed().thenComparingLong(Candidate::pair);
  }

  private static final class IntList {
    int[] values = new int[4];
    int size;

    void addOnce(int v) {
      if (size > 0 && values[size - 1] == v) return;
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }
  }
}
