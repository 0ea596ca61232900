package dev.fsgen.study;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's plots, drawn with JFreeChart and written as PNG (headless: no display needed).
 * Measured figures carry their 95% intervals as error bars; value axes are zoomed to the data
 * rather than starting at 0, so differences of a few points stay visible.
 */
final class Charts {
  private static final int WIDTH = 860;
  private static final int HEIGHT = 520;
  private static final Paint[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)
  };
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /**
   * Collaboration frequency against the parameter ratio, one colour per method: each pair's CF with
   * its interval, labelled with the pair, and the fitted power law. The ratio axis is logarithmic
   * with a tick at every doubling, written as plain numbers.
   */
  static void cfVsRatio(Path file, StudyDomain domain, List<Analysis.FitRow> rows) throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    XYErrorRenderer renderer = errorRenderer();
    List<List<String>> labels = new ArrayList<>();
    int colour = 0;
    for (Analysis.FitRow row : rows) {
      if (!row.domain().equals(domain.id)) continue;
      Paint paint = PALETTE[colour++ % PALETTE.length];
      YIntervalSeries measured = new YIntervalSeries(row.method(), false, true);
      List<String> names = new ArrayList<>();
      double lo = Double.POSITIVE_INFINITY, hi = 0;
      for (int i = 0; i < row.points().size(); i++) {
        ScalingFit.Point p = row.points().get(i);
        Bootstrap.Interval ci = i < row.pointIntervals().size() ? row.pointIntervals().get(i) : null;
        measured.add(p.ratio(), 100 * p.cf(), 100 * (ci == null ? p.cf() : ci.low()), 100 * (ci == null ? p.cf() : ci.high()));
        names.add(p.pair());
        lo = Math.min(lo, p.ratio());
        hi = Math.max(hi, p.ratio());
      }
      int index = data.getSeriesCount();
      data.addSeries(measured);
      labels.add(names);
      renderer.setSeriesLinesVisible(index, false);
      renderer.setSeriesShapesVisible(index, true);
      renderer.setSeriesPaint(index, paint);
      // the pairs sit at the same ratios for every method: labelling the first method's points is enough, and keeps the labels apart
      renderer.setSeriesItemLabelsVisible(index, index == 0);
      if (row.fit() != null) {
        YIntervalSeries curve = new YIntervalSeries(row.method() + " fit", false, true);
        for (int i = 0; i <= 60; i++) {
          double r = lo * Math.pow(hi / lo, i / 60.0);
          double y = 100 * row.fit().predict(r);
          curve.add(r, y, y, y);
        }
        data.addSeries(curve);
        labels.add(null);
        renderer.setSeriesLinesVisible(index + 1, true);
        renderer.setSeriesShapesVisible(index + 1, false);
        renderer.setSeriesPaint(index + 1, paint);
        renderer.setSeriesStroke(index + 1, new BasicStroke(1.5f));
        renderer.setSeriesVisibleInLegend(index + 1, false);
      }
    }
    renderer.setDefaultItemLabelGenerator((dataset, series, item) -> labels.get(series) == null ? null : labels.get(series).get(item));
    renderer.setDefaultItemLabelFont(LABEL_FONT);
    renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    JFreeChart chart = ChartFactory.createXYLineChart("Collaboration frequency, " + domain.id + " (" + domain.description + "), 95% intervals",
        "parameter ratio R = N_L / N_S (log scale)", "collaboration frequency (%)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(ratioAxis("parameter ratio R = N_L / N_S (log scale)"));
    plot.setRenderer(renderer);
    zoom(plot);
    style(chart);
    save(file, chart);
  }

  /** A base-2 logarithmic axis with a tick at every doubling, labelled 1, 2, 4, 8, ... rather than in exponent form. */
  static LogAxis ratioAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(2);
    axis.setSmallestValue(1);
    axis.setTickUnit(new NumberTickUnit(1)); // in log₂ units: one doubling
    axis.setNumberFormatOverride(new DecimalFormat("0.#"));
    return axis;
  }

  /** Intervention rate in each tenth of the output with its interval, one line per domain. */
  static void positions(Path file, String method, List<Analysis.Positions> rows) throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (Analysis.Positions p : rows) {
      if (!p.method().equals(method)) continue;
      YIntervalSeries s = new YIntervalSeries(p.domain(), false, true);
      for (int b = 0; b < Analysis.BINS; b++) {
        double rate = p.rate(b);
        if (Double.isNaN(rate)) continue;
        Bootstrap.Interval ci = p.rateIntervals()[b];
        double centre = 100.0 * (b + 0.5) / Analysis.BINS;
        add(s, centre, rate, ci);
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart("Where System 2 intervenes (" + method + "), 95% intervals",
        "relative position in the output (%), centre of each tenth", "tokens where System 2 chose differently (%)", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYErrorRenderer renderer = errorRenderer();
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesLinesVisible(i, true);
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(renderer);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setRange(0, 100);
    x.setTickUnit(new NumberTickUnit(10));
    zoom(plot);
    style(chart);
    save(file, chart);
  }

  /** Pooled AUROC of each uncertainty measure with its interval, per domain, against the chance line at 0.5. */
  static void uncertainty(Path file, List<Analysis.UncertaintyRow> rows) throws IOException {
    List<String> domains = new ArrayList<>();
    List<String> measures = new ArrayList<>();
    for (Analysis.UncertaintyRow r : rows) {
      if (!r.pair().equals(Analysis.POOLED)) continue;
      if (!domains.contains(r.domain())) domains.add(r.domain());
      if (!measures.contains(r.measure())) measures.add(r.measure());
    }
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (int m = 0; m < measures.size(); m++) {
      YIntervalSeries s = new YIntervalSeries(measures.get(m), false, true);
      for (Analysis.UncertaintyRow r : rows) {
        if (!r.pair().equals(Analysis.POOLED) || !r.measure().equals(measures.get(m)) || Double.isNaN(r.auroc())) continue;
        double x = domains.indexOf(r.domain()) + 0.15 * (m - (measures.size() - 1) / 2.0); // measures side by side
        Bootstrap.Interval ci = r.interval();
        s.add(x, r.auroc(), ci == null ? r.auroc() : ci.low(), ci == null ? r.auroc() : ci.high());
      }
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart("System 1's uncertainty predicts System 2's interventions (oracle), 95% intervals",
        "domain", "AUROC (0.5 = chance)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYErrorRenderer renderer = errorRenderer();
    for (int i = 0; i < data.getSeriesCount(); i++) renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    plot.setRenderer(renderer);
    SymbolAxis x = new SymbolAxis("domain", domains.toArray(String[]::new));
    x.setRange(-0.5, domains.size() - 0.5);
    plot.setDomainAxis(x);
    plot.addRangeMarker(labelled(0.5, "chance", Color.GRAY));
    zoom(plot);
    ((NumberAxis) plot.getRangeAxis()).setUpperBound(Math.min(1.0, plot.getRangeAxis().getUpperBound()));
    style(chart);
    save(file, chart);
  }

  /**
   * Gated handoff's trade-off on arithmetic test problems for one pair: System 2's token share
   * against accuracy (or agreement with System 2 alone), one line per router over its thresholds,
   * with System 1 alone and System 2 alone as large labelled markers and reference lines; every
   * point with its 95% interval (problems resampled), and a point without one drawn bare.
   *
   * @param system1Only System 1 alone's figure, null where it was not measured
   * @param system2Only System 2 alone's, null likewise
   */
  static void tradeoff(Path file, StudyDomain task, String pair, List<SweepResult> sweep, boolean agreement, Bootstrap.Interval system1Only,
      Bootstrap.Interval system2Only) throws IOException {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (RouterSweep r : RouterSweep.values()) {
      YIntervalSeries s = new YIntervalSeries(r.label, true, true);
      for (SweepResult x : sweep) {
        if (!x.pair().equals(pair) || !x.router().equals(r.name())) continue;
        Bootstrap.Interval ci = Intervals.accuracy(agreement ? x.agreeingByProblem() : x.correctByProblem());
        double y = agreement ? x.agreement() : x.accuracy();
        add(s, 100 * x.system2Share(), y, ci);
      }
      if (s.getItemCount() > 0) data.addSeries(s);
    }
    int routers = data.getSeriesCount();
    YIntervalSeries s1 = new YIntervalSeries("System 1 alone", true, true);
    if (system1Only != null) add(s1, 0, system1Only.estimate(), system1Only);
    YIntervalSeries s2 = new YIntervalSeries("System 2 alone", true, true);
    if (system2Only != null) add(s2, 100, system2Only.estimate(), system2Only);
    data.addSeries(s1);
    data.addSeries(s2);
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Gated handoff on " + task.id + " (test), " + pair + (agreement ? ": agreement with System 2 alone" : ": accuracy") + ", 95% intervals",
        "tokens produced by System 2 (%)", agreement ? "same final answer as System 2 alone (%)" : "exact match (%)",
        data, PlotOrientation.VERTICAL, true, false, false);
    XYErrorRenderer renderer = errorRenderer();
    for (int i = 0; i < routers; i++) {
      renderer.setSeriesLinesVisible(i, true);
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    renderer.setSeriesLinesVisible(routers, false);
    renderer.setSeriesLinesVisible(routers + 1, false);
    renderer.setSeriesPaint(routers, Color.BLACK);
    renderer.setSeriesPaint(routers + 1, Color.BLACK);
    renderer.setSeriesShape(routers, new Rectangle2D.Double(-7, -7, 14, 14));
    renderer.setSeriesShape(routers + 1, new Ellipse2D.Double(-7, -7, 14, 14));
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(renderer);
    if (system1Only != null) plot.addRangeMarker(labelled(100 * system1Only.estimate(), "System 1 alone", Color.DARK_GRAY));
    if (system2Only != null) plot.addRangeMarker(labelled(100 * system2Only.estimate(), "System 2 alone", Color.DARK_GRAY));
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setRange(-3, 103);
    zoom(plot);
    style(chart);
    save(file, chart);
  }

  /** A point in percent with its interval's bounds, or bare where the bootstrap gave none. */
  private static void add(YIntervalSeries s, double x, double y, Bootstrap.Interval ci) {
    s.add(x, 100 * y, 100 * (ci == null ? y : ci.low()), 100 * (ci == null ? y : ci.high()));
  }

  static String bin(int b) {
    return String.format(Locale.ROOT, "%d–%d%%", b * 100 / Analysis.BINS, (b + 1) * 100 / Analysis.BINS);
  }

  private static XYErrorRenderer errorRenderer() {
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDrawXError(false);
    renderer.setDrawYError(true);
    renderer.setCapLength(6);
    renderer.setDefaultShapesVisible(true);
    return renderer;
  }

  private static ValueMarker labelled(double value, String label, Color colour) {
    ValueMarker m = new ValueMarker(value, colour, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
    m.setLabel(label);
    m.setLabelFont(LABEL_FONT);
    m.setLabelAnchor(RectangleAnchor.TOP_RIGHT); // clear of the end points at 0% and 100%
    m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    return m;
  }

  /** The value axis fitted to the data (error bars and markers included) with a margin, not stretched to 0. */
  private static void zoom(XYPlot plot) {
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setAutoRangeIncludesZero(false);
    y.setAutoRange(true);
    y.setUpperMargin(0.08);
    y.setLowerMargin(0.08);
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(new Color(0xf7f7f7));
  }

  private static void save(Path file, JFreeChart chart) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }
}
