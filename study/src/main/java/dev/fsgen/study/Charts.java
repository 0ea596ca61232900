package dev.fsgen.study;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's plots, drawn with JFreeChart and written as PNG (headless: no display needed). */
final class Charts {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 460;
  private static final Paint[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)
  };

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** Collaboration frequency against the parameter ratio (log scale), one colour per method, measured points and fitted curve. */
  static void cfVsRatio(Path file, StudyDomain domain, List<Analysis.FitRow> rows) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    int colour = 0;
    for (Analysis.FitRow row : rows) {
      if (!row.domain().equals(domain.id)) continue;
      Paint paint = PALETTE[colour++ % PALETTE.length];
      XYSeries measured = new XYSeries(row.method(), true, true);
      double lo = Double.POSITIVE_INFINITY, hi = 0;
      for (ScalingFit.Point p : row.points()) {
        measured.add(p.ratio(), 100 * p.cf());
        lo = Math.min(lo, p.ratio());
        hi = Math.max(hi, p.ratio());
      }
      int index = data.getSeriesCount();
      data.addSeries(measured);
      renderer.setSeriesLinesVisible(index, false);
      renderer.setSeriesShapesVisible(index, true);
      renderer.setSeriesPaint(index, paint);
      if (row.fit() != null) {
        XYSeries curve = new XYSeries(row.method() + " fit", true, true);
        for (int i = 0; i <= 60; i++) {
          double r = lo * Math.pow(hi / lo, i / 60.0);
          curve.add(r, 100 * row.fit().predict(r));
        }
        data.addSeries(curve);
        renderer.setSeriesLinesVisible(index + 1, true);
        renderer.setSeriesShapesVisible(index + 1, false);
        renderer.setSeriesPaint(index + 1, paint);
        renderer.setSeriesStroke(index + 1, new BasicStroke(1.5f));
        renderer.setSeriesVisibleInLegend(index + 1, false);
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart("Collaboration frequency, " + domain.id + " (" + domain.description + ")",
        "parameter ratio R = N_L / N_S", "collaboration frequency (%)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis axis = new LogAxis("parameter ratio R = N_L / N_S");
    axis.setBase(10);
    axis.setSmallestValue(1);
    plot.setDomainAxis(axis);
    plot.setRenderer(renderer);
    style(chart);
    save(file, chart);
  }

  /** Intervention rate in each tenth of the output, one bar group per bin, one series per domain. */
  static void positions(Path file, String method, List<Analysis.Positions> rows) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Analysis.Positions p : rows) {
      if (!p.method().equals(method)) continue;
      for (int b = 0; b < Analysis.BINS; b++) {
        double rate = p.rate(b);
        data.addValue(Double.isNaN(rate) ? null : 100 * rate, p.domain(), bin(b));
      }
    }
    JFreeChart chart = ChartFactory.createBarChart("Where System 2 intervenes (" + method + ")", "relative position in the output",
        "tokens where System 2 chose differently (%)", data, PlotOrientation.VERTICAL, true, false, false);
    style(chart);
    save(file, chart);
  }

  /** AUROC of each uncertainty measure for predicting an intervention, per domain. */
  static void uncertainty(Path file, List<Analysis.UncertaintyRow> rows) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Analysis.UncertaintyRow r : rows) data.addValue(Double.isNaN(r.auroc()) ? null : r.auroc(), r.measure(), r.domain());
    JFreeChart chart = ChartFactory.createBarChart("System 1's uncertainty predicts System 2's interventions (oracle)", "domain",
        "AUROC (0.5 = chance)", data, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
    style(chart);
    save(file, chart);
  }

  /**
   * Gated handoff's trade-off on arithmetic for one pair: System 2's token share against accuracy
   * (or agreement with System 2 alone), one line per router over its thresholds, with System 1 and
   * System 2 alone as the end points.
   */
  static void tradeoff(Path file, String pair, List<SweepResult> sweep, boolean agreement, double system1Only, double system2Only)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (RouterSweep r : RouterSweep.values()) {
      XYSeries s = new XYSeries(r.label, true, true);
      for (SweepResult x : sweep) {
        if (x.pair().equals(pair) && x.router().equals(r.name())) s.add(100 * x.system2Share(), 100 * (agreement ? x.agreement() : x.accuracy()));
      }
      if (!s.isEmpty()) data.addSeries(s);
    }
    XYSeries ends = new XYSeries("System 1 alone / System 2 alone", true, true);
    if (!Double.isNaN(system1Only)) ends.add(0, 100 * system1Only);
    if (!Double.isNaN(system2Only)) ends.add(100, 100 * system2Only);
    data.addSeries(ends);
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Gated handoff on arithmetic, " + pair + (agreement ? ": agreement with System 2 alone" : ": accuracy"),
        "tokens produced by System 2 (%)", agreement ? "answers identical to System 2 alone (%)" : "exact match (%)",
        data, PlotOrientation.VERTICAL, true, false, false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int last = data.getSeriesCount() - 1;
    renderer.setSeriesLinesVisible(last, false);
    renderer.setSeriesPaint(last, Color.BLACK);
    for (int i = 0; i < last; i++) renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    chart.getXYPlot().setRenderer(renderer);
    style(chart);
    save(file, chart);
  }

  static String bin(int b) {
    return String.format(Locale.ROOT, "%d–%d%%", b * 100 / Analysis.BINS, (b + 1) * 100 / Analysis.BINS);
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(new Color(0xf7f7f7));
  }

  private static void save(Path file, JFreeChart chart) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }
}
