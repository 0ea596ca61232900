package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.training.data.KjvBible.KjvChapter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KjvBibleTest {
  @Test
  void dropsHeadingsAndVerseNumbers() throws Exception {
    List<String> lines = List.of(
        "",
        "Genesis 1",
        "",
        "  1 In the beginning God created the heaven and the earth.",
        "  2 And the earth was without form, and void.",
        "",
        "1 Samuel 3",
        "",
        "  10 And the LORD came, and stood, and called as at other times, Samuel, Samuel.",
        "Song of Solomon 2",
        "  1 I am the rose of Sharon, and the lily of the valleys.");
    List<KjvChapter> chapters = KjvBible.parse(lines);
    assertEquals(3, chapters.size());
    assertEquals(new KjvChapter("Genesis", 1,
        "In the beginning God created the heaven and the earth. And the earth was without form, and void."), chapters.get(0));
    assertEquals("1 Samuel", chapters.get(1).book());
    assertEquals(3, chapters.get(1).chapter());
    assertEquals("And the LORD came, and stood, and called as at other times, Samuel, Samuel.", chapters.get(1).text());
    assertEquals("Song of Solomon 2", chapters.get(2).id());
  }

  @Test
  void rejectsAVerseBeforeAnyHeading() {
    assertThrows(java.io.IOException.class, () -> KjvBible.parse(List.of("  1 In the beginning")));
  }

  @Test
  void namesAMissingFile(@TempDir Path dir) {
    MissingDataException e = assertThrows(MissingDataException.class, () -> KjvBible.read(dir.resolve("kjv.txt")));
    assertTrue(e.getMessage().contains("kjv.txt") && e.getMessage().contains("./fsgen data"), e.getMessage());
  }
}
