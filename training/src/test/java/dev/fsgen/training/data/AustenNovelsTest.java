package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fsgen.training.data.AustenNovels.AustenChapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AustenNovelsTest {
  @Test
  void splitsChaptersAndJoinsWrappedParagraphs() {
    List<AustenChapter> chapters = AustenNovels.parse("emma", List.of(
        "EMMA", "", "By Jane Austen", "", "VOLUME I", "", "CHAPTER I", "", "",
        "Emma Woodhouse, handsome, clever, and rich,  with a comfortable home",
        "and happy disposition.", "", "She was the youngest.",
        "", "VOLUME II", "", "CHAPTER I", "", "Miss Bates.", "", "FINIS"));
    assertEquals(2, chapters.size(), "the title page is no chapter, the volume restarts the printed numbers");
    assertEquals(new AustenChapter("emma", 1, List.of(
        "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy disposition.", "She was the youngest.")),
        chapters.get(0));
    assertEquals("emma 2", chapters.get(1).id());
    assertEquals(List.of("Miss Bates."), chapters.get(1).paragraphs());
  }

  @Test
  void readsEveryNovelOfADirectory(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("persuasion.txt"), "Chapter 1\n\nSir Walter Elliot.\n\nChapter 2\n\nMr Shepherd.\n\nFinis\n");
    Files.writeString(dir.resolve("emma.txt"), "CHAPTER I\n\nEmma.\n\nTHE END\n");
    List<AustenChapter> chapters = AustenNovels.read(dir);
    assertEquals(List.of("emma 1", "persuasion 1", "persuasion 2"), chapters.stream().map(AustenChapter::id).toList());
  }

  @Test
  void refusesANovelWithoutChapters(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("emma.txt"), "EMMA\n\nBy Jane Austen\n");
    IOException e = assertThrows(IOException.class, () -> AustenNovels.read(dir));
    assertTrue(e.getMessage().contains("emma.txt") && e.getMessage().contains("CHAPTER N"), e.getMessage());
    MissingDataException missing = assertThrows(MissingDataException.class, () -> AustenNovels.read(dir.resolve("austen")));
    assertTrue(missing.getMessage().contains("austen"), missing.getMessage());
  }

  /** On a machine where the novels were fetched: six of them, with the chapter counts of their editions. */
  @Test
  void realNovelsWhenPresent() throws Exception {
    Path dir = RealRaw.require("austen");
    Map<String, Long> chapters = AustenNovels.read(dir).stream()
        .collect(Collectors.groupingBy(AustenChapter::book, Collectors.counting()));
    assertEquals(Map.of("sense-and-sensibility", 50L, "pride-and-prejudice", 61L, "mansfield-park", 48L, "emma", 55L,
        "northanger-abbey", 31L, "persuasion", 24L), chapters);
    for (AustenChapter c : AustenNovels.read(dir)) {
      assertTrue(!c.paragraphs().isEmpty(), c.id() + " has no text");
      for (String p : c.paragraphs()) assertTrue(!p.matches("(?i)chapter .*|volume .*|the end|finis"), c.id() + ": " + p);
    }
  }
}
