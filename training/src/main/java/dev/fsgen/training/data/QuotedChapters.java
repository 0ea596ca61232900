package dev.fsgen.training.data;

import dev.fsgen.training.data.BibleCommentary.CommentaryEntry;
import dev.fsgen.training.data.KjvBible.KjvChapter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which KJV chapter a commentary entry discusses, read from the verses it quotes. The entry's filing
 * reference is not enough: Debian's {@code sword-comm-mhcc} files most of Henry's paragraphs under
 * other chapters than the ones they discuss (its Genesis 50:1 entry is on Exodus 33, its Galatians
 * 1:14 entry on Hebrews 12), so a split by filing chapter would put commentary quoting a test chapter
 * in training.
 *
 * <p>A quotation is a run of {@value #GRAM} words that occurs in exactly one chapter (each counted once). The entry
 * discusses its filing chapter when it quotes it (or quotes no chapter clearly), otherwise the chapter
 * it quotes most, provided that is at least {@value #MIN_QUOTES} such runs (fewer are too often a
 * stock phrase); ties go to the earlier chapter.
 */
public final class QuotedChapters {
  static final int GRAM = 5;
  static final int MIN_QUOTES = 2;
  private static final int SEVERAL = -1;

  private final List<KjvChapter> chapters;
  /** hash of a run of words to the index of the one chapter holding it, or {@link #SEVERAL} */
  private final Map<Long, Integer> owner = new HashMap<>();

  public QuotedChapters(List<KjvChapter> chapters) {
    this.chapters = List.copyOf(chapters);
    for (int c = 0; c < chapters.size(); c++) {
      for (long gram : grams(chapters.get(c).text())) {
        int chapter = c;
        owner.merge(gram, chapter, (was, now) -> was.equals(now) ? was : SEVERAL);
      }
    }
  }

  /** The chapter ({@code Book C}) the entry discusses, as described above. */
  public String discussed(CommentaryEntry entry) {
    Map<Integer, Integer> quotes = new HashMap<>();
    Set<Long> distinct = new HashSet<>();
    for (long gram : grams(entry.text())) {
      if (!distinct.add(gram)) continue;
      Integer c = owner.get(gram);
      if (c != null && c != SEVERAL) quotes.merge(c, 1, Integer::sum);
    }
    int best = -1;
    int most = 0;
    for (Map.Entry<Integer, Integer> q : quotes.entrySet()) {
      String id = chapters.get(q.getKey()).id();
      if (id.equals(entry.chapter()) && q.getValue() >= MIN_QUOTES) return id;
      if (q.getValue() > most || (q.getValue() == most && q.getKey() < best)) {
        best = q.getKey();
        most = q.getValue();
      }
    }
    return most >= MIN_QUOTES ? chapters.get(best).id() : entry.chapter();
  }

  /**
   * The distinct runs of {@link #GRAM} words of a text, as 64-bit hashes: words are its runs of
   * letters, lower-cased, so punctuation, verse numbers and the commentaries' capitals do not matter.
   */
  static long[] grams(String text) {
    String[] words = text.toLowerCase(Locale.ROOT).split("[^a-z]+");
    int start = words.length > 0 && words[0].isEmpty() ? 1 : 0;
    int n = words.length - start - GRAM + 1;
    if (n <= 0) return new long[0];
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long h = 0xcbf29ce484222325L; // FNV-1a over the words and a separator
      for (int w = start + i; w < start + i + GRAM; w++) {
        for (int k = 0; k < words[w].length(); k++) h = (h ^ words[w].charAt(k)) * 0x100000001b3L;
        h = (h ^ ' ') * 0x100000001b3L;
      }
      out[i] = h;
    }
    return out;
  }
}
