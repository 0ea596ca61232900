package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commentaries quote the chapters they discuss: each entry must be in its chapter's KJV split. */
class CommentarySplitTest {
  @Test
  void everyEntryIsInItsChaptersSplit(@TempDir Path tmp) throws Exception {
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    DataPreparer.Options options = DataPreparer.Options.defaults(raw, tmp.resolve("out")).withArithmetic(300, 20, 20).withMixture(Mixture.BROAD);
    DataPreparer.prepare(options, m -> {});
    int checked = assertEntriesFollowTheirChapters(tmp.resolve("out/manifest.json"));
    assertEquals(60, checked);
  }

  @Test
  void refusesAnEntryOnAChapterTheKjvDoesNotHave(@TempDir Path tmp) throws Exception {
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    Files.writeString(raw.resolve("commentary/mhcc.txt"), "Genesis 1:1\tfine.\nGenesis 21:1\tno such chapter in the test's KJV.\n");
    IOException e = assertThrows(IOException.class, () -> DataPreparer.prepare(
        DataPreparer.Options.defaults(raw, tmp.resolve("out")).withArithmetic(30, 2, 2).withMixture(Mixture.BROAD), m -> {}));
    assertTrue(e.getMessage().contains("commentary/mhcc.txt") && e.getMessage().contains("'mhcc Genesis 21:1'")
        && e.getMessage().contains("'Genesis 21'"), e.getMessage());
  }

  /** On a machine where every source was fetched: every real entry maps to a KJV chapter and follows its split. */
  @Test
  void realCommentariesFollowTheirChaptersWhenPresent(@TempDir Path tmp) throws Exception {
    Path raw = RealRaw.require("commentary").getParent();
    for (String source : new String[] {"brown", "kjv.txt", "sotu", "austen"}) RealRaw.require(source);
    DataPreparer.prepare(DataPreparer.Options.defaults(raw, tmp).withMixture(Mixture.BROAD), m -> {});
    int checked = assertEntriesFollowTheirChapters(tmp.resolve("manifest.json"));
    assertTrue(checked > 3000, checked + " entries");
  }

  /**
   * Checks the manifest's commentary ids against its KJV chapter lists, reading each entry's chapter
   * from its id ({@code module Book C:V[ #n]}) independently of {@link BibleCommentary}.
   *
   * @return how many entries were checked
   */
  private static int assertEntriesFollowTheirChapters(Path manifestFile) throws IOException {
    JsonObject manifest = JsonParser.parseString(Files.readString(manifestFile)).getAsJsonObject();
    Map<String, String> chapterSplit = new HashMap<>();
    JsonObject chapters = manifest.getAsJsonObject("kjv").getAsJsonObject("chapters");
    for (String split : chapters.keySet()) {
      for (JsonElement c : chapters.getAsJsonArray(split)) chapterSplit.put(c.getAsString(), split);
    }
    JsonObject docs = manifest.getAsJsonObject("commentary").getAsJsonObject("docs");
    Map<String, Integer> perSplit = new HashMap<>();
    int checked = 0;
    for (String split : docs.keySet()) {
      for (JsonElement id : docs.getAsJsonArray(split)) {
        String reference = id.getAsString().replaceFirst("^\\S+ ", "").replaceFirst(" #\\d+$", "");
        String chapter = reference.replaceFirst(":\\d+$", "").replaceFirst("^III ", "3 ").replaceFirst("^II ", "2 ").replaceFirst("^I ", "1 ");
        // a capped training split leaves some training entries unused, never an evaluation entry
        assertEquals(chapterSplit.get(chapter), split.equals("unused") ? "train" : split, id.getAsString());
        perSplit.merge(split, 1, Integer::sum);
        checked++;
      }
    }
    for (String split : new String[] {"val", "test"}) assertTrue(perSplit.getOrDefault(split, 0) > 0, "no commentary in " + split);
    return checked;
  }
}
