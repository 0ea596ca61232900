package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.training.data.BibleCommentary.CommentaryEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BibleCommentaryTest {
  @Test
  void readsOneEntryALineWithIdsUniqueUnderARepeatedVerse(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tdavid.txt"), "Psalms 1:1\tThis Psalm may be regarded as the preface.\n");
    Files.writeString(dir.resolve("mhcc.txt"),
        "Genesis 1:2\t* Verses 3-5 * God said, Let there be light.\nGenesis 1:2\tThe first sabbath.(1-3)\n1 John 1:1\tThat which was.\n");
    List<CommentaryEntry> entries = BibleCommentary.read(dir);
    assertEquals(List.of("mhcc Genesis 1:2", "mhcc Genesis 1:2 #2", "mhcc 1 John 1:1", "tdavid Psalms 1:1"),
        entries.stream().map(CommentaryEntry::id).toList());
    assertEquals(new CommentaryEntry("tdavid", "Psalms 1:1", "tdavid Psalms 1:1", "This Psalm may be regarded as the preface."),
        entries.get(3));
    assertEquals(List.of("Genesis 1", "Genesis 1", "1 John 1", "Psalms 1"), entries.stream().map(CommentaryEntry::chapter).toList());
  }

  @Test
  void refusesALineWithoutReferenceOrText(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mhcc.txt");
    IOException e = assertThrows(IOException.class, () -> BibleCommentary.parse("mhcc", file, List.of("Genesis 1:1\tok", "no tab here")));
    assertTrue(e.getMessage().contains("mhcc.txt line 2") && e.getMessage().contains("<Book C:V><TAB><text>"), e.getMessage());
    e = assertThrows(IOException.class, () -> BibleCommentary.parse("mhcc", file, List.of("Genesis 1:1\t  ")));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    e = assertThrows(IOException.class, () -> BibleCommentary.parse("mhcc", file, List.of("Genesis 1\tno verse in the reference")));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    e = assertThrows(IOException.class, () -> BibleCommentary.parse("mhcc", file, List.of()));
    assertTrue(e.getMessage().contains("no commentary entries"), e.getMessage());
  }

  /** On a machine where the commentaries were fetched: the pinned entry counts, each entry text once. */
  @Test
  void realCommentariesWhenPresent() throws Exception {
    Path dir = RealRaw.require("commentary");
    List<CommentaryEntry> entries = BibleCommentary.read(dir);
    Map<String, Long> perModule = entries.stream().collect(Collectors.groupingBy(CommentaryEntry::module, Collectors.counting()));
    assertEquals(Map.of("tdavid", 150L, "mhcc", 3750L), perModule);
    assertEquals(entries.size(), new HashSet<>(entries.stream().map(CommentaryEntry::text).toList()).size(), "an entry text repeats");
    assertEquals(entries.size(), new HashSet<>(entries.stream().map(CommentaryEntry::id).toList()).size(), "an id repeats");
  }
}
