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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

  /**
   * An entry filed under a training chapter that quotes a held-out chapter (as Debian's Henry
   * commentary files most of its paragraphs) goes with the held-out chapter; one that also quotes its
   * own chapter stays with it.
   */
  @Test
  void anEntryGoesWithTheChapterItQuotes(@TempDir Path tmp) throws Exception {
    Path raw = DataPreparerTest.fakeBroadRaw(tmp.resolve("raw"));
    StringBuilder kjv = new StringBuilder();
    for (String book : List.of("Genesis", "1 Samuel")) {
      for (int c = 1; c <= 20; c++) {
        kjv.append('\n').append(book).append(' ').append(c).append("\n\n");
        for (int v = 1; v <= 3; v++) kjv.append("  ").append(v).append(' ').append(verse(book, c, v)).append('\n');
      }
    }
    Files.writeString(raw.resolve("kjv.txt"), kjv);
    DataPreparer.Options options = DataPreparer.Options.defaults(raw, tmp.resolve("out")).withArithmetic(30, 2, 2).withMixture(Mixture.BROAD);
    Map<String, Split> chapterSplit = new HashMap<>();
    JsonObject chapters = JsonParser.parseString(Files.readString(DataPreparer.prepare(options, m -> {}).layout().manifest()))
        .getAsJsonObject().getAsJsonObject("kjv").getAsJsonObject("chapters");
    for (Split split : Split.values()) {
      for (JsonElement c : chapters.getAsJsonArray(split.fileStem())) chapterSplit.put(c.getAsString(), split);
    }
    int heldOut = 1;
    while (chapterSplit.get("1 Samuel " + heldOut) == Split.TRAIN) heldOut++;
    int trained = 1;
    while (chapterSplit.get("Genesis " + trained) != Split.TRAIN) trained++;
    Files.writeString(raw.resolve("commentary/mhcc.txt"), String.join("\n",
        "Genesis " + trained + ":5\tHere the prophet says: " + verse("1 Samuel", heldOut, 1) + " And again, " + verse("1 Samuel", heldOut, 2),
        "Genesis " + trained + ":6\tCompare " + verse("1 Samuel", heldOut, 1) + " " + verse("1 Samuel", heldOut, 3) + " with "
            + verse("Genesis", trained, 2) + " " + verse("Genesis", trained, 3),
        "Genesis " + trained + ":7\tNo verse quoted here at all.") + "\n");
    DataPreparer.prepare(options, m -> {});
    JsonObject commentary = JsonParser.parseString(Files.readString(tmp.resolve("out/manifest.json"))).getAsJsonObject().getAsJsonObject("commentary");
    JsonObject refiled = new JsonObject();
    refiled.addProperty("mhcc Genesis " + trained + ":5", "1 Samuel " + heldOut);
    assertEquals(refiled, commentary.getAsJsonObject("refiled"));
    String held = chapterSplit.get("1 Samuel " + heldOut).fileStem();
    assertTrue(commentary.getAsJsonObject("docs").getAsJsonArray(held).toString().contains("mhcc Genesis " + trained + ":5"), commentary.toString());
    assertEquals(30 + 3, assertEntriesFollowTheirChapters(tmp.resolve("out/manifest.json")));
  }

  /** A verse whose runs of words are the chapter's own: its book and chapter spelled in letters. */
  private static String verse(String book, int chapter, int verse) {
    String tag = (book.startsWith("G") ? "gen" : "sam") + (char) ('a' + chapter);
    return "And the " + tag + " elders spake unto the " + tag + " people the word " + (char) ('a' + verse) + "zz of the " + tag + " law.";
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

  /**
   * On a machine where every source was fetched: every real entry follows its chapter's split, and,
   * counted independently (runs of six words rather than five, as strings), the entries that quote a
   * held-out chapter most and do not quote their filing chapter are held out. Split by filing chapter,
   * about one in ten of them would be, as Debian's Henry commentary files most paragraphs elsewhere.
   */
  @Test
  void realCommentariesFollowTheChaptersTheyQuoteWhenPresent(@TempDir Path tmp) throws Exception {
    Path raw = RealRaw.require("commentary").getParent();
    for (String source : new String[] {"brown", "kjv.txt", "sotu", "austen"}) RealRaw.require(source);
    DataPreparer.prepare(DataPreparer.Options.defaults(raw, tmp).withMixture(Mixture.BROAD), m -> {});
    int checked = assertEntriesFollowTheirChapters(tmp.resolve("manifest.json"));
    assertTrue(checked > 3000, checked + " entries");

    JsonObject manifest = JsonParser.parseString(Files.readString(tmp.resolve("manifest.json"))).getAsJsonObject();
    Map<String, String> chapterOf = new HashMap<>(); // a six-word run found in one chapter only -> that chapter
    Set<String> inSeveral = new HashSet<>();
    Map<String, String> splitOfChapter = new HashMap<>();
    for (KjvBible.KjvChapter c : KjvBible.read(raw.resolve("kjv.txt"))) {
      for (String run : sixWordRuns(c.text())) {
        String was = chapterOf.putIfAbsent(run, c.id());
        if (was != null && !was.equals(c.id())) inSeveral.add(run);
      }
    }
    inSeveral.forEach(chapterOf::remove);
    JsonObject chapters = manifest.getAsJsonObject("kjv").getAsJsonObject("chapters");
    for (String split : chapters.keySet()) chapters.getAsJsonArray(split).forEach(c -> splitOfChapter.put(c.getAsString(), split));
    Map<String, String> splitOfEntry = new HashMap<>();
    JsonObject docs = manifest.getAsJsonObject("commentary").getAsJsonObject("docs");
    for (String split : docs.keySet()) docs.getAsJsonArray(split).forEach(id -> splitOfEntry.put(id.getAsString(), split));

    int quotingHeldOut = 0, heldOut = 0;
    for (BibleCommentary.CommentaryEntry e : BibleCommentary.read(raw.resolve("commentary"))) {
      Map<String, Integer> quotes = new HashMap<>();
      for (String run : sixWordRuns(e.text())) if (chapterOf.containsKey(run)) quotes.merge(chapterOf.get(run), 1, Integer::sum);
      if (quotes.containsKey(e.chapter()) || quotes.isEmpty()) continue;
      Map.Entry<String, Integer> most = Collections.max(quotes.entrySet(), Map.Entry.comparingByValue());
      if (most.getValue() < 3 || splitOfChapter.get(most.getKey()).equals("train")) continue;
      quotingHeldOut++;
      if (!splitOfEntry.get(e.id()).equals("train") && !splitOfEntry.get(e.id()).equals("unused")) heldOut++;
    }
    assertTrue(quotingHeldOut > 50, quotingHeldOut + " entries quote a held-out chapter most");
    assertTrue(heldOut >= 0.95 * quotingHeldOut, heldOut + " of the " + quotingHeldOut + " entries that quote a held-out chapter most are held out");
  }

  private static Set<String> sixWordRuns(String text) {
    List<String> words = new ArrayList<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) if (!w.isEmpty()) words.add(w);
    Set<String> runs = new HashSet<>();
    for (int i = 0; i + 6 <= words.size(); i++) runs.add(String.join(" ", words.subList(i, i + 6)));
    return runs;
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
    JsonObject refiled = manifest.getAsJsonObject("commentary").getAsJsonObject("refiled");
    JsonObject docs = manifest.getAsJsonObject("commentary").getAsJsonObject("docs");
    Map<String, Integer> perSplit = new HashMap<>();
    int checked = 0;
    for (String split : docs.keySet()) {
      for (JsonElement id : docs.getAsJsonArray(split)) {
        String reference = id.getAsString().replaceFirst("^\\S+ ", "").replaceFirst(" #\\d+$", "");
        String filed = reference.replaceFirst(":\\d+$", "").replaceFirst("^III ", "3 ").replaceFirst("^II ", "2 ").replaceFirst("^I ", "1 ");
        String chapter = refiled.has(id.getAsString()) ? refiled.get(id.getAsString()).getAsString() : filed;
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
