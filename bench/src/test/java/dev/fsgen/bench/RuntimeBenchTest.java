package dev.fsgen.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.fsgen.runtime.model.LlamaConfig;
import dev.fsgen.runtime.model.LlamaModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RuntimeBenchTest {
  static final LlamaConfig TINY = new LlamaConfig("llama", 256, 64, 128, 2, 4, 2, 16, 512, 1e-5, 10000.0, true, false, 0, 0);
  // small enough to finish in about a second; timings are not judged, only their sanity
  static final RuntimeBench.Settings QUICK = new RuntimeBench.Settings(8, 16, 2, 32, 20, 50);
  static RuntimeBench.Figures figures;
  static final List<String> progress = new ArrayList<>();

  @BeforeAll
  static void run() {
    try (LlamaModel model = LlamaModel.random(TINY, 1)) {
      figures = RuntimeBench.measure(model, "random", 0, QUICK, progress::add);
    }
  }

  @Test
  void timingsArePositiveAndRatiosFinite() {
    RuntimeBench.Decode d = figures.decode();
    assertEquals(2 * 16, d.steps());
    assertTrue(d.minMs() > 0 && d.minMs() <= d.medianMs() && d.medianMs() <= d.p90Ms(), d.toString());
    assertTrue(d.tokensPerSecond() > 0 && Double.isFinite(d.tokensPerSecond()));
    assertTrue(Double.isFinite(d.floorRatio()) && d.floorRatio() > 0, d.toString());
    assertTrue(Double.isFinite(d.shapedFloorRatio()) && d.shapedFloorRatio() > 0, d.toString());
    assertEquals(d.floorRatio() <= RuntimeBench.FLOOR_RATIO_TARGET, d.pass());

    RuntimeBench.Prefill p = figures.prefill();
    assertEquals(32, p.tokens());
    assertEquals(3, p.samples()); // at least three, even with two repeats
    assertTrue(p.medianMs() > 0 && p.tokensPerSecond() > 0);

    RuntimeBench.Floor f = figures.floor();
    assertTrue(f.medianMs() > 0 && f.shapedMedianMs() > 0 && f.opOverheadUs() > 0, f.toString());
    assertTrue(f.gbPerSecond() > 0 && Double.isFinite(f.gbPerSecond()));
    assertTrue(f.samples() >= 5 && f.samples() <= 20);
    assertEquals(TINY.numLayers() * 4 + 1, f.shapedOps());
  }

  @Test
  void floorReadsWhatADecodeStepReads() {
    assertEquals(TINY.parameterCount() * Float.BYTES, figures.model().weightBytes());
    long read = figures.model().readBytes(); // the packed fp32 matrices: every projection and the head, panels padded
    assertEquals("fp32", figures.model().weightFormat());
    assertTrue(read >= (TINY.parameterCount() - 2L * TINY.numLayers() * TINY.hiddenSize() - TINY.hiddenSize()) * Float.BYTES, "" + read);
    // whole columns of a [hidden, n] matrix: at most one column more than the bytes read
    assertTrue(figures.floor().bytes() >= read && figures.floor().bytes() < read + TINY.hiddenSize() * Float.BYTES);
    assertEquals("[1, 64] x [64, " + figures.floor().bytes() / 4 / 64 + "]", figures.floor().shape());
    // the model-shaped matrices are every layer projection plus the tied output head
    long shaped = TINY.parameterCount() - 2L * TINY.numLayers() * TINY.hiddenSize() - TINY.hiddenSize();
    assertEquals(shaped * Float.BYTES, figures.floor().shapedBytes());
  }

  @Test
  void memoryAndThreadsAreReported() {
    RuntimeBench.Memory m = figures.memory();
    assertTrue(m.rssAfterLoadBytes() > 0 && m.rssAfterDecodeBytes() > 0, m.toString());
    assertTrue(m.rssPeakBytes() >= m.rssAfterDecodeBytes());
    assertEquals(2 * figures.model().weightBytes() + RuntimeBench.RSS_ALLOWANCE_BYTES, m.targetBytes());
    assertTrue(m.heapUsedBytes() > 0 && m.heapCommittedBytes() >= m.heapUsedBytes());
    assertTrue(figures.threads().intraOp() >= 1 && figures.threads().interOp() >= 1);
    assertTrue(figures.threads().processThreads() >= figures.threads().intraOp());
    assertEquals(3, progress.stream().filter(l -> !l.startsWith("products:")).count(), progress.toString());
  }

  @Test
  void productsAreSetBesideThePeakMeasuredInTheSameRun() {
    ProductBench.Figures p = figures.products();
    assertNotNull(p, "the Java decode path runs in tests (--add-modules jdk.incubator.vector)");
    assertEquals(java.util.Arrays.stream(ProductBench.ROWS).boxed().toList(), p.rows().stream().map(ProductBench.Row::rows).toList());
    assertTrue(p.peakGflops() > 0 && p.readFloorMs() > 0 && p.stepMs() > 0, p.toString());
    for (ProductBench.Row r : p.rows()) {
      assertTrue(r.ms() > 0 && r.gflops() > 0, r.toString());
      assertEquals(r.gflops() / p.peakGflops(), r.peakShare(), 1e-9);
      assertEquals(2.0 * p.macsPerRow() * r.rows() / r.ms() / 1e6, r.gflops(), 1e-6 * r.gflops());
    }
    assertEquals(1.0, p.rows().get(0).onePasses(), 1e-12);
    assertTrue(ProductBench.toTable(p).contains("% peak"));
  }

  @Test
  void jsonHasEveryFigure() {
    JsonObject o = JsonParser.parseString(RuntimeBench.toJson(figures)).getAsJsonObject();
    for (String section : new String[] {"model", "settings", "host", "threads", "decode", "prefill", "floor", "memory", "products"}) {
      assertTrue(o.has(section), section);
    }
    JsonObject d = o.getAsJsonObject("decode");
    for (String key : new String[] {"medianMs", "p90Ms", "tokensPerSecond", "floorRatio", "floorRatioTarget", "pass"}) {
      assertTrue(d.has(key), key);
    }
    assertTrue(o.getAsJsonObject("floor").get("medianMs").getAsDouble() > 0);
    assertTrue(o.getAsJsonObject("prefill").has("tokensPerSecond"));
    JsonObject m = o.getAsJsonObject("memory");
    for (String key : new String[] {"rssAfterLoadBytes", "rssAfterDecodeBytes", "targetBytes", "pass", "heapUsedBytes"}) {
      assertTrue(m.has(key), key);
    }
    assertTrue(o.getAsJsonObject("threads").get("intraOp").getAsInt() >= 1);
    assertEquals(256, o.getAsJsonObject("model").get("vocabSize").getAsInt());
  }

  @Test
  void tableNamesTheVerdicts() {
    String table = RuntimeBench.toTable(figures);
    assertTrue(table.contains("decode / floor"), table);
    assertTrue(table.contains("resident memory"), table);
    assertTrue(table.contains("PASS") || table.contains("FAIL"), table);
  }

  @Test
  void rejectsRunsLongerThanTheContext() {
    try (LlamaModel model = LlamaModel.random(TINY, 1)) {
      RuntimeBench.Settings tooLong = QUICK.with(400, 200, 1, 32);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RuntimeBench.measure(model, "random", 0, tooLong, s -> {}));
      assertTrue(e.getMessage().contains("context of 512"), e.getMessage());
    }
  }
}
