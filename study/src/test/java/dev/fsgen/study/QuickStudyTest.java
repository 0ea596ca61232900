package dev.fsgen.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fsgen.runtime.progress.Progress;
import dev.fsgen.training.data.DataLayout;
import dev.fsgen.training.data.DataPreparer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study end to end on the bundled pair and the real held-out data, at a small size: what
 * {@code ./fsgen study --quick} runs. Needs the fetched corpora (as the other corpus tests do).
 */
class QuickStudyTest {
  private static final Path ROOT = Path.of(System.getProperty("fsgen.root", ".."));
  private static final PromptSet.Sizes SIZES = new PromptSet.Sizes(2, 16, 8, 12);

  @TempDir static Path tmp;
  static DataLayout data;

  @BeforeAll
  static void prepareData() throws Exception {
    Path raw = ROOT.resolve("data/raw");
    assumeTrue(Files.isRegularFile(raw.resolve("brown/CONTENTS")), "no fetched corpus at " + raw + " (scripts/fetch-data.sh)");
    data = DataPreparer.prepare(DataPreparer.Options.defaults(raw, tmp.resolve("data")), m -> {}).layout();
  }

  private static FamilyModels bundled() {
    return FamilyModels.pair(ROOT.resolve("models/system1"), ROOT.resolve("models/system2"));
  }

  @Test
  void measuresReportsAndResumesWithoutRepeatingWork() throws Exception {
    Path work = tmp.resolve("work");
    StudyRunner.Results first;
    List<String> log = new ArrayList<>();
    try (FamilyModels models = bundled()) {
      first = new StudyRunner(models, new StudyRunner.Options(data, work, SIZES, true), Progress.sink(log::add)).run();
    }
    // oracle, contrastive, speculative on 3 domains + 3 arithmetic baselines; 4 routers × 3 thresholds on validation and on test
    assertEquals(12, first.units().size());
    assertEquals(24, first.sweep().size());
    assertEquals(12, first.sweep().stream().filter(SweepResult::onValidation).count());
    // one line per unit, System 2 alone on the validation problems, and the sweep once per split (all its routers at once)
    assertEquals(12 + 1 + 2, log.size(), "one progress line per measurement");
    int measurements = log.size();

    for (UnitResult u : first.units()) {
      long intervened = u.records().stream().filter(UnitResult.TokenRecord::intervened).count();
      assertEquals(u.tokens(), u.records().size());
      assertEquals(u.differing(), intervened, u.method() + " " + u.domain());
      double cf = u.collaborationFrequency();
      assertTrue(cf >= 0 && cf <= 1, u.method() + " CF " + cf);
      if (u.correctByPrompt() != null) {
        int correct = 0;
        for (boolean c : u.correctByPrompt()) if (c) correct++;
        assertEquals(u.correct(), correct, u.method());
      }
    }
    // greedy speculative decoding emits System 2's greedy output and scores every token, so its CF is the oracle's
    for (String d : List.of("prose", "bible", "arithmetic")) {
      assertEquals(find(first, d, Method.ORACLE).differing(), find(first, d, Method.SPECULATIVE).differing(), d);
    }
    // differential: greedy speculative decoding gives System 2's greedy answers (the oracle's output)
    assertEquals(find(first, "arithmetic", Method.ORACLE).outputs(), find(first, "arithmetic", Method.SPECULATIVE).outputs());
    // System 1 alone never hands a token to System 2
    assertEquals(0, find(first, "arithmetic", Method.SYSTEM1_ONLY).system2Tokens());
    for (SweepResult s : first.sweep()) assertTrue(s.system2Share() >= 0 && s.system2Share() <= 1, s.toString());

    // a rerun finds every measurement saved and recomputes none
    Map<Path, FileTime> before = times(work);
    log.clear();
    StudyRunner.Results again;
    try (FamilyModels models = bundled()) {
      again = new StudyRunner(models, new StudyRunner.Options(data, work, SIZES, true), Progress.sink(log::add)).run();
    }
    assertEquals(List.of(), log);
    assertEquals(before, times(work));
    assertEquals(first.units().size(), again.units().size());
    for (int i = 0; i < first.units().size(); i++) {
      assertEquals(first.units().get(i).outputs(), again.units().get(i).outputs());
      assertEquals(first.units().get(i).differing(), again.units().get(i).differing());
    }

    // where stderr is a terminal the progress is one bar redrawn in place, as bench's: a measurement removed is
    // measured again under it, and comes out the same
    Path removed;
    try (Stream<Path> units = Files.list(work.resolve("units"))) {
      Path pairDir = units.findFirst().orElseThrow();
      removed = pairDir.resolve("arithmetic-speculative.json");
    }
    byte[] saved = Files.readAllBytes(removed);
    Files.delete(removed);
    java.io.ByteArrayOutputStream screen = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stderr = System.err;
    String told = System.getProperty("fsgen.stderr.terminal");
    System.setProperty("fsgen.stderr.terminal", "true");
    System.setErr(new java.io.PrintStream(screen, true, java.nio.charset.StandardCharsets.UTF_8));
    try (FamilyModels models = bundled()) {
      new StudyRunner(models, new StudyRunner.Options(data, work, SIZES, true), Progress.sink(System.err)).run();
    } finally {
      System.setErr(stderr);
      if (told == null) System.clearProperty("fsgen.stderr.terminal");
      else System.setProperty("fsgen.stderr.terminal", told);
    }
    String drawn = screen.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(drawn.contains("study: resuming at measurement " + (measurements - 1) + " of " + measurements), drawn);
    assertTrue(drawn.contains("\rstudy [########################] " + measurements + "/" + measurements) && drawn.endsWith("\n"), drawn);
    assertEquals(withoutTime(new String(saved, java.nio.charset.StandardCharsets.UTF_8)), withoutTime(Files.readString(removed)));

    Path out = tmp.resolve("report");
    // the wall time of every run on these measurements adds up
    Report.Clock.start(work, System.nanoTime()).at(60);
    Report.WallTime wall = Report.Clock.start(work, System.nanoTime()).at(30);
    assertEquals(new Report.WallTime(90, 2), wall);
    // a run stopped midway counts up to its last lap, and the run that resumes it adds its own
    Path clocked = work.resolve("clocked");
    Report.Clock.start(clocked, System.nanoTime()).at(60);
    Report.Clock.start(clocked, System.nanoTime() - 10_000_000_000L).lap(); // began 10 s ago; never laps again (killed)
    Report.WallTime resumed = Report.Clock.start(clocked, System.nanoTime()).lap();
    assertEquals(3, resumed.runs());
    assertTrue(resumed.seconds() >= 70 && resumed.seconds() < 75, resumed.toString());
    Report.write(out, new Report.Setup(bundled().general(), SIZES, 1, true, wall, 2), again);
    String md = Files.readString(out.resolve("README.md"));
    assertTrue(md.contains("1.5 minutes on this machine, summed over the 2 run(s)"), md);
    for (String section : List.of("## 1. Collaboration frequency", "## 2. Scaling law", "## 3. Where interventions fall",
        "## 4. Uncertainty", "## 5. Cost and quality", "## 6. Side by side with FS-GEN")) {
      assertTrue(md.contains(section), section);
    }
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    for (String f : List.of("cf-vs-ratio-prose.png", "positions-oracle.png", "uncertainty-auroc.png", "tradeoff-accuracy-system1_system2.png")) {
      byte[] head = new byte[4];
      System.arraycopy(Files.readAllBytes(out.resolve(f)), 0, head, 0, 4);
      assertArrayEquals(png, head, f);
    }
    List<String> units = Files.readAllLines(out.resolve("units.csv"));
    assertEquals(1 + 12, units.size());
    assertTrue(units.get(0).startsWith("pair,small,large"));
    // the per-token data is written gzipped: a row per oracle token of the measurements
    long oracleTokens = again.units().stream().filter(u -> u.method().equals(Method.ORACLE.id)).mapToLong(u -> u.records().size()).sum();
    try (java.io.BufferedReader gz = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(Files.newInputStream(out.resolve("oracle-tokens.csv.gz"))), java.nio.charset.StandardCharsets.UTF_8))) {
      // parsed as CSV: a piece such as "\n" is a quoted field over two lines
      List<org.apache.commons.csv.CSVRecord> rows = org.apache.commons.csv.CSVFormat.DEFAULT.parse(gz).getRecords();
      assertEquals(List.of("pair", "domain", "prompt", "position"), rows.get(0).toList().subList(0, 4));
      assertTrue(oracleTokens > 0);
      assertEquals(1 + oracleTokens, rows.size());
    }
  }

  /** A saved measurement without its wall time, the one field a rerun changes. */
  private static com.google.gson.JsonObject withoutTime(String json) {
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
    o.remove("seconds");
    return o;
  }

  private static UnitResult find(StudyRunner.Results r, String domain, Method m) {
    return r.units().stream().filter(u -> u.domain().equals(domain) && u.method().equals(m.id)).findFirst().orElseThrow();
  }

  private static Map<Path, FileTime> times(Path dir) throws Exception {
    Map<Path, FileTime> out = new HashMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) out.put(p, Files.getLastModifiedTime(p));
    }
    return out;
  }
}
