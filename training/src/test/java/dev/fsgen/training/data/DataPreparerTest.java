package dev.fsgen.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.training.data.BrownCorpus.BrownDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPreparerTest {
  private static final String CONTENTS = """

      CONTENTS

      A. PRESS: REPORTAGE
      B. PRESS: EDITORIAL
      K: FICTION: GENERAL



      LIST OF TEXTS

      A. PRESS: REPORTAGE
      """;

  /** A miniature raw directory in the real formats: 3 genres of Brown texts and a few chapters. */
  static Path fakeRaw(Path dir) throws IOException {
    Path brown = Files.createDirectories(dir.resolve("brown"));
    Files.writeString(brown.resolve("CONTENTS"), CONTENTS);
    for (String genre : List.of("a", "b", "k")) {
      for (int i = 1; i <= 6; i++) {
        String id = "c%s%02d".formatted(genre, i);
        Files.writeString(brown.resolve(id),
            "\n\n\tThe/at " + id + "/np text/nn said/vbd ``/`` hello/uh ''/'' ./.\nIt/pps ended/vbd ./.\n\n\n\tAgain/rb ,/, yes/rb ./.\n");
      }
    }
    StringBuilder kjv = new StringBuilder();
    for (String book : List.of("Genesis", "1 Samuel")) {
      for (int c = 1; c <= 20; c++) {
        kjv.append('\n').append(book).append(' ').append(c).append("\n\n");
        for (int v = 1; v <= 3; v++) kjv.append("  ").append(v).append(" Verse ").append(v).append(" of ").append(book).append(".\n");
      }
    }
    Files.writeString(dir.resolve("kjv.txt"), kjv);
    return dir;
  }

  private static DataPreparer.Options options(Path raw, Path out) {
    return DataPreparer.Options.defaults(raw, out).withArithmetic(3000, 200, 200);
  }

  @Test
  void sameSeedGivesByteIdenticalOutput(@TempDir Path tmp) throws Exception {
    Path raw = fakeRaw(tmp.resolve("raw"));
    DataPreparer.prepare(options(raw, tmp.resolve("one")), m -> {});
    DataPreparer.prepare(options(raw, tmp.resolve("two")), m -> {});
    DataPreparer.prepare(options(raw, tmp.resolve("other")).withSeed(99), m -> {});
    for (String file : List.of("manifest.json", "brown/train.txt", "brown/val.txt", "kjv/test.txt", "arith/train.txt", "arith/val.txt")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("one").resolve(file)), Files.readAllBytes(tmp.resolve("two").resolve(file)), file);
    }
    assertNotEquals(Files.readString(tmp.resolve("one/arith/train.txt")), Files.readString(tmp.resolve("other/arith/train.txt")));
  }

  @Test
  void writesSplitsAndAManifestThatDescribesThem(@TempDir Path tmp) throws Exception {
    Path raw = fakeRaw(tmp.resolve("raw"));
    DataPreparer.Result result = DataPreparer.prepare(options(raw, tmp.resolve("out")), m -> {});
    DataLayout layout = result.layout();
    JsonObject manifest = JsonParser.parseString(Files.readString(layout.manifest())).getAsJsonObject();
    assertEquals(1234, manifest.get("seed").getAsLong());
    for (DataPreparer.SplitStats s : result.stats()) {
      byte[] bytes = Files.readAllBytes(layout.file(s.domain(), s.split()));
      assertEquals(s.bytes(), bytes.length);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      assertEquals(sha, s.sha256());
      assertEquals(sha, manifest.getAsJsonObject("files").get(s.domain().dirName() + "/" + s.split().fileName()).getAsString());
      JsonObject recorded = manifest.getAsJsonObject("splits").getAsJsonObject(s.domain().dirName()).getAsJsonObject(s.split().fileStem());
      assertEquals(s.lines(), recorded.get("lines").getAsLong());
      assertEquals(s.docs(), recorded.get("docs").getAsInt());
      assertEquals(s.lines(), layout.readLines(s.domain(), s.split()).size());
    }
    // every genre is evaluated; each Brown document has two paragraphs
    for (Split split : List.of(Split.VAL, Split.TEST)) {
      assertEquals(3, result.get(Domain.BROWN, split).docs());
      assertEquals(6, result.get(Domain.BROWN, split).lines());
    }
    assertEquals("PRESS: REPORTAGE", manifest.getAsJsonObject("brown").getAsJsonObject("genres").get("a").getAsString());
    assertEquals(18, manifest.getAsJsonObject("brown").getAsJsonArray("docs").size());
    assertEquals(List.of("The ca01 text said \"hello\". It ended.", "Again, yes."),
        layout.readLines(Domain.BROWN, Split.TRAIN).subList(0, 2));
    // 40 chapters: 2 each for validation and test
    assertEquals(2, result.get(Domain.KJV, Split.VAL).lines());
    assertEquals(36, result.get(Domain.KJV, Split.TRAIN).lines());
    assertEquals("Verse 1 of Genesis. Verse 2 of Genesis. Verse 3 of Genesis.", layout.readLines(Domain.KJV, Split.TRAIN).get(0));
    assertEquals(3000, layout.readProblems(Split.TRAIN).size());
    assertEquals(200, layout.readProblems(Split.TEST).size());
  }

  @Test
  void namesWhatIsMissing(@TempDir Path tmp) throws Exception {
    MissingDataException e = assertThrows(MissingDataException.class,
        () -> DataPreparer.prepare(options(tmp.resolve("absent"), tmp.resolve("out")), m -> {}));
    assertTrue(e.getMessage().contains("absent") && e.getMessage().contains("./fsgen data"), e.getMessage());

    Path raw = fakeRaw(tmp.resolve("raw"));
    Files.delete(raw.resolve("kjv.txt"));
    e = assertThrows(MissingDataException.class, () -> DataPreparer.prepare(options(raw, tmp.resolve("out")), m -> {}));
    assertTrue(e.getMessage().contains("kjv.txt"), e.getMessage());

    Files.delete(raw.resolve("brown/CONTENTS"));
    e = assertThrows(MissingDataException.class, () -> DataPreparer.prepare(options(raw, tmp.resolve("out")), m -> {}));
    assertTrue(e.getMessage().contains("CONTENTS"), e.getMessage());

    e = assertThrows(MissingDataException.class, () -> new DataLayout(tmp.resolve("nothing")).require(Domain.BROWN, Split.VAL));
    assertTrue(e.getMessage().contains("val.txt"), e.getMessage());
  }

  /** On a machine where the corpus was fetched, check the real Brown layout: 500 texts, 15 genres. */
  @Test
  void realBrownCorpusWhenPresent() throws Exception {
    Path brown = Path.of(System.getProperty("fsgen.root", ".")).resolve("data/raw/brown");
    assumeTrue(Files.isRegularFile(brown.resolve("CONTENTS")), "no fetched corpus at " + brown);
    List<BrownDocument> docs = BrownCorpus.read(brown);
    assertEquals(500, docs.size());
    Map<Character, String> genres = docs.stream().collect(Collectors.toMap(BrownDocument::genre, BrownDocument::genreName, (a, b) -> a));
    assertEquals(15, genres.size());
    assertEquals("FICTION: GENERAL", genres.get('k'));
    String first = docs.get(0).paragraphs().get(0);
    assertTrue(first.startsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's"), first);
    for (BrownDocument d : docs) {
      for (String p : d.paragraphs()) {
        // "''" survives only inside words, as inches: 4' 10''
        assertTrue(!p.contains("``") && !p.contains(" '' ") && !p.contains(" ,") && !p.contains(" ."), d.id() + ": " + p);
      }
    }
    Set<Character> seen = docs.stream().map(BrownDocument::genre).collect(Collectors.toSet());
    assertEquals(genres.keySet(), seen);
  }

  @Test
  void splitFilesEndEveryLineWithANewline(@TempDir Path tmp) throws Exception {
    Path raw = fakeRaw(tmp.resolve("raw"));
    DataLayout layout = DataPreparer.prepare(options(raw, tmp.resolve("out")), m -> {}).layout();
    String text = Files.readString(layout.file(Domain.ARITH, Split.VAL), StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n") && !text.contains("\r"));
  }

  /** {@link #fakeRaw} plus the broad mixture's sources in their fetched layouts. */
  static Path fakeBroadRaw(Path dir) throws IOException {
    fakeRaw(dir);
    Path sotu = Files.createDirectories(dir.resolve("sotu"));
    for (int year = 1800; year < 1840; year++) Files.writeString(sotu.resolve(year + "_john_adams_f.txt"), "Address of " + year + ".");
    Path austen = Files.createDirectories(dir.resolve("austen"));
    for (String book : List.of("emma", "persuasion")) {
      StringBuilder text = new StringBuilder(book.toUpperCase() + "\n\n");
      for (int c = 1; c <= 20; c++) text.append("CHAPTER ").append(c).append("\n\nFirst of ").append(book).append(' ').append(c).append(".\n\nSecond.\n\n");
      Files.writeString(austen.resolve(book + ".txt"), text);
    }
    Path commentary = Files.createDirectories(dir.resolve("commentary"));
    // 30 entries a module on the chapters of fakeRaw's KJV, the books named as the SWORD modules name them
    for (String module : List.of("tdavid", "mhcc")) {
      StringBuilder text = new StringBuilder();
      for (int c = 1; c <= 20; c++) text.append("Genesis ").append(c).append(":1\t").append(module).append(" on Genesis ").append(c).append(".\n");
      for (int c = 1; c <= 10; c++) text.append("I Samuel ").append(c).append(":2\t").append(module).append(" on 1 Samuel ").append(c).append(".\n");
      Files.writeString(commentary.resolve(module + ".txt"), text);
    }
    return dir;
  }

  @Test
  void bundledMixtureIgnoresTheBroadSources(@TempDir Path tmp) throws Exception {
    DataPreparer.Result plain = DataPreparer.prepare(options(fakeRaw(tmp.resolve("raw")), tmp.resolve("plain")), m -> {});
    DataPreparer.Result broadRaw = DataPreparer.prepare(options(fakeBroadRaw(tmp.resolve("broad-raw")), tmp.resolve("more")), m -> {});
    assertEquals(List.of(Domain.BROWN, Domain.KJV, Domain.ARITH), broadRaw.domains());
    assertEquals(List.of(Domain.BROWN, Domain.KJV, Domain.ARITH), broadRaw.layout().domains());
    assertArrayEquals(Files.readAllBytes(plain.layout().manifest()), Files.readAllBytes(broadRaw.layout().manifest()));
    assertTrue(!Files.exists(broadRaw.layout().file(Domain.SOTU, Split.TRAIN)));
  }

  @Test
  void broadMixtureSplitsEverySourceByDocument(@TempDir Path tmp) throws Exception {
    Path raw = fakeBroadRaw(tmp.resolve("raw"));
    DataPreparer.Result result = DataPreparer.prepare(options(raw, tmp.resolve("out")).withMixture(Mixture.BROAD), m -> {});
    DataLayout layout = result.layout();
    assertEquals(Mixture.BROAD.domains(), result.domains());
    assertEquals(Mixture.BROAD.domains(), layout.domains());
    JsonObject manifest = JsonParser.parseString(Files.readString(layout.manifest())).getAsJsonObject();
    assertEquals("broad", manifest.get("mixture").getAsString());

    // 40 addresses: 2 validation, 2 test, one line each
    assertEquals(2, result.get(Domain.SOTU, Split.VAL).docs());
    assertEquals(36, layout.readLines(Domain.SOTU, Split.TRAIN).size());
    // Austen by chapter within each novel: both novels in validation, two paragraphs a chapter
    List<String> austenVal = layout.readLines(Domain.AUSTEN, Split.VAL);
    assertEquals(2 * result.get(Domain.AUSTEN, Split.VAL).docs(), austenVal.size());
    assertTrue(austenVal.stream().anyMatch(l -> l.contains("emma")) && austenVal.stream().anyMatch(l -> l.contains("persuasion")), austenVal.toString());
    // every document in exactly one split, for every further source
    for (Domain domain : List.of(Domain.SOTU, Domain.AUSTEN, Domain.COMMENTARY)) {
      JsonObject docs = manifest.getAsJsonObject(domain.dirName()).getAsJsonObject("docs");
      Set<String> seen = new java.util.HashSet<>();
      int total = 0;
      for (Split split : Split.values()) {
        int n = docs.getAsJsonArray(split.fileStem()).size();
        assertEquals(result.get(domain, split).docs(), n, domain + " " + split);
        total += n;
        docs.getAsJsonArray(split.fileStem()).forEach(id -> seen.add(id.getAsString()));
      }
      assertEquals(total, seen.size(), domain + ": a document is in two splits");
      assertTrue(result.get(domain, Split.TEST).docs() > 0, domain + " has no test documents");
    }
    assertEquals(60, seen(manifest, Domain.COMMENTARY));

    // the same raw data and seed give the same files
    DataPreparer.Result again = DataPreparer.prepare(options(raw, tmp.resolve("again")).withMixture(Mixture.BROAD), m -> {});
    assertEquals(result.stats(), again.stats());
  }

  @Test
  void broadMixtureNamesAMissingSource(@TempDir Path tmp) throws Exception {
    Path raw = fakeRaw(tmp.resolve("raw"));
    MissingDataException e = assertThrows(MissingDataException.class,
        () -> DataPreparer.prepare(options(raw, tmp.resolve("out")).withMixture(Mixture.BROAD), m -> {}));
    assertTrue(e.getMessage().contains("sotu") && e.getMessage().contains("./fsgen data"), e.getMessage());
  }

  private static int seen(JsonObject manifest, Domain domain) {
    JsonObject docs = manifest.getAsJsonObject(domain.dirName()).getAsJsonObject("docs");
    int n = 0;
    for (Split split : Split.values()) n += docs.getAsJsonArray(split.fileStem()).size();
    return n;
  }
}
