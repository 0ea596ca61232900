package dev.fsgen.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The suite's two plots, written as PNG (headless: no display needed). */
public final class BenchCharts {
  private static final Color[] PALETTE = {
    new Color(0xd62728), new Color(0xff7f0e), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x9467bd)
  };

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private BenchCharts() {}

  /** Speedup over System 2 alone against the draft length: measured, in process, and both forms of the formula. */
  public static void speedup(Path file, SpeculativeBench.Figures f) throws IOException {
    XYSeries measured = new XYSeries("measured (gRPC)");
    XYSeries ahead = new XYSeries("drafting ahead (gRPC)");
    XYSeries inProcess = new XYSeries("in process");
    XYSeries expected = new XYSeries("expected from alpha, c");
    XYSeries atVerify = new XYSeries("expected at measured verify cost");
    double top = SpeculativeBench.SPEEDUP_TARGET;
    for (SpeculativeBench.Row r : f.rows()) {
      top = Math.max(top, Math.max(r.expected(), r.measured()));
      measured.add(r.gamma(), r.measured());
      ahead.add(r.gamma(), r.ahead());
      inProcess.add(r.gamma(), r.inProcess());
      expected.add(r.gamma(), r.expected());
      atVerify.add(r.gamma(), r.expectedAtVerifyCost());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    for (XYSeries s : new XYSeries[] {measured, ahead, inProcess, expected, atVerify}) data.addSeries(s);
    JFreeChart chart = ChartFactory.createXYLineChart("Speculative decoding over System 2 alone (" + f.system1() + " + " + f.system2() + ")",
        "draft length gamma", "speedup", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(renderer());
    plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    plot.getRangeAxis().setRange(0, top * 1.1); // the target stays in view
    marker(plot, 1.0, "System 2 alone", Color.GRAY);
    marker(plot, SpeculativeBench.SPEEDUP_TARGET, "target", new Color(0xd62728));
    save(file, chart);
  }

  /** Aggregate tokens/s against concurrent streams (log scale), one line per strategy. */
  public static void concurrency(Path file, ConcurrencyBench.Figures f) throws IOException {
    Map<String, XYSeries> lines = new LinkedHashMap<>();
    for (ConcurrencyBench.Level l : f.levels()) {
      lines.computeIfAbsent(l.strategy(), XYSeries::new).add(l.streams(), l.tokensPerSecond());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    lines.values().forEach(data::addSeries);
    JFreeChart chart = ChartFactory.createXYLineChart("Aggregate tokens/s under concurrent streams", "streams", "tokens/s", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis streams = new LogAxis("streams");
    streams.setBase(2);
    streams.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per doubling: 1, 2, 4, ...
    streams.setNumberFormatOverride(new java.text.DecimalFormat("0"));
    plot.setDomainAxis(streams);
    plot.setRenderer(renderer());
    save(file, chart);
  }

  /** Lines with points, in colours that stay apart on white. */
  private static XYLineAndShapeRenderer renderer() {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < PALETTE.length; i++) {
      r.setSeriesPaint(i, PALETTE[i]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    return r;
  }

  private static void marker(XYPlot plot, double y, String label, Color color) {
    ValueMarker m = new ValueMarker(y, color, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
    m.setLabel(label);
    m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    plot.addRangeMarker(m);
  }

  private static void save(Path file, JFreeChart chart) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(new Color(0xf7f7f7));
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 760, 460);
  }
}
