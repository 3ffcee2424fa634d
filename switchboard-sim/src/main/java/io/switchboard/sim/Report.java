package io.switchboard.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * What a person reads after a simulation: a summary table (one column per run, one row per
 * figure), CSV files (the summary and each run's time series), and charts as PNG and SVG drawn by
 * JFreeChart.
 *
 * <p>Charts: with a sweep, the p99 latency, the throughput and (with caches) the cache hit rate
 * against the swept parameter, one line per algorithm (balls into bins: the maximum load, with the
 * two theoretical bounds, on a log axis); without, the p50 and
 * p99 latency per algorithm as bars, and over time the p99, the share of requests that went to
 * each server group but the largest (the odd ones out: the slow server, the failing one) and the
 * share of the busiest single server (herding).
 *
 * <p>Threading: stateless; AWT runs headless.
 */
public final class Report {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private Report() {}

    /** The summary table: figures down, runs across. */
    public static String table(Scenario scenario, List<RunResult> results) {
        List<String> heads = new ArrayList<>();
        heads.add(scenario.sweep() == null ? "" : scenario.sweep().key() + " =");
        for (RunResult r : results) heads.add(label(scenario, r));
        List<List<String>> rows = new ArrayList<>();
        for (String m : metricNames(results)) {
            List<String> row = new ArrayList<>();
            row.add(m);
            for (RunResult r : results) {
                Double v = r.metrics().get(m);
                row.add(v == null ? "" : format(v));
            }
            rows.add(row);
        }
        int[] widths = new int[heads.size()];
        for (int c = 0; c < heads.size(); c++) {
            widths[c] = heads.get(c).length();
            for (List<String> row : rows) widths[c] = Math.max(widths[c], row.get(c).length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(scenario.title()).append('\n');
        appendRow(sb, heads, widths);
        for (List<String> row : rows) appendRow(sb, row, widths);
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            if (c == 0) {
                sb.append(s).append(" ".repeat(widths[c] - s.length()));
            } else {
                sb.append("  ").append(" ".repeat(widths[c] - s.length())).append(s);
            }
        }
        sb.append('\n');
    }

    private static String label(Scenario scenario, RunResult r) {
        return Double.isNaN(r.point()) ? r.algorithm() : r.algorithm() + " @ " + format(r.point());
    }

    static String format(double v) {
        if (Double.isNaN(v)) return "-";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static List<String> metricNames(List<RunResult> results) {
        Set<String> names = new LinkedHashSet<>();
        for (RunResult r : results) names.addAll(r.metrics().keySet());
        return List.copyOf(names);
    }

    /**
     * Writes {@code summary.csv}, one {@code series-*.csv} per run with a time series, and the
     * charts (PNG and SVG) into {@code dir}, which is created.
     *
     * @return the files written, in order
     */
    public static List<Path> write(Scenario scenario, List<RunResult> results, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(summaryCsv(scenario, results, dir.resolve("summary.csv")));
        for (RunResult r : results) {
            if (r.series().isEmpty()) continue;
            String name = "series-" + fileName(r.algorithm()) + (Double.isNaN(r.point()) ? "" : "-" + format(r.point())) + ".csv";
            written.add(seriesCsv(r, dir.resolve(name)));
        }
        for (Chart c : charts(scenario, results)) {
            Path png = dir.resolve(c.name() + ".png");
            ChartUtils.saveChartAsPNG(png.toFile(), c.chart(), WIDTH, HEIGHT);
            written.add(png);
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
            c.chart().draw(g, new Rectangle(WIDTH, HEIGHT));
            Path svg = dir.resolve(c.name() + ".svg");
            SVGUtils.writeToSVG(svg.toFile(), g.getSVGElement());
            written.add(svg);
        }
        return written;
    }

    private static Path summaryCsv(Scenario scenario, List<RunResult> results, Path file) throws IOException {
        List<String> names = metricNames(results);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            StringBuilder head = new StringBuilder("scenario,algorithm");
            if (scenario.sweep() != null) head.append(',').append(scenario.sweep().key());
            for (String n : names) head.append(',').append(n);
            w.println(head);
            for (RunResult r : results) {
                StringBuilder row = new StringBuilder(scenario.name()).append(',').append(quote(r.algorithm()));
                if (scenario.sweep() != null) row.append(',').append(csv(r.point()));
                for (String n : names) {
                    Double v = r.metrics().get(n);
                    row.append(',').append(v == null ? "" : csv(v));
                }
                w.println(row);
            }
        }
        return file;
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static Path seriesCsv(RunResult r, Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            w.println(String.join(",", r.columns()));
            for (double[] row : r.series()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(csv(row[i]));
                }
                w.println(sb);
            }
        }
        return file;
    }

    /** An algorithm label as part of a file name: chain(by-age 3s, by-load) becomes chain-by-age-3s-by-load. */
    static String fileName(String label) {
        return label.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("^-|-$", "");
    }

    private static String csv(double v) {
        if (Double.isNaN(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    /** A chart and the file name it is written under (without extension). */
    public record Chart(String name, JFreeChart chart) {}

    /** The charts for these results (see the class comment). */
    public static List<Chart> charts(Scenario scenario, List<RunResult> results) {
        List<Chart> out = new ArrayList<>();
        if (scenario.kind() == Scenario.Kind.BALLS_INTO_BINS) {
            out.add(binsChart(scenario, results));
            return out;
        }
        if (scenario.sweep() != null) {
            out.add(sweepChart(scenario, results, "latency-p99-ms", "p99 latency (ms)"));
            out.add(sweepChart(scenario, results, "throughput-per-s", "throughput (requests/s)"));
            if (results.get(0).metrics().containsKey("cache-hit-rate")) {
                out.add(sweepChart(scenario, results, "cache-hit-rate", "cache hit rate"));
            }
            return out;
        }
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (RunResult r : results) {
            bars.addValue(r.metric("latency-p50-ms"), "p50", r.algorithm());
            bars.addValue(r.metric("latency-p99-ms"), "p99", r.algorithm());
        }
        out.add(new Chart("latency", style(ChartFactory.createBarChart(scenario.title() + ": latency", "algorithm",
                "latency (ms)", bars, PlotOrientation.VERTICAL, true, false, false))));
        int largest = largestGroup(scenario);
        for (int g = 0; g < scenario.servers().size(); g++) {
            if (g == largest && scenario.servers().size() > 1) continue;
            String group = scenario.servers().get(g).name();
            out.add(new Chart("share-over-time-" + group, timeChart(scenario, results, "share-" + group,
                    "share of requests to '" + group + "'")));
        }
        out.add(new Chart("p99-over-time", timeChart(scenario, results, "p99-ms", "p99 latency (ms)")));
        out.add(new Chart("busiest-share-over-time", timeChart(scenario, results, "busiest-share",
                "share of the busiest server")));
        return out;
    }

    private static int largestGroup(Scenario scenario) {
        int best = 0;
        for (int g = 1; g < scenario.servers().size(); g++) {
            if (scenario.servers().get(g).count() > scenario.servers().get(best).count()) best = g;
        }
        return best;
    }

    private static JFreeChart timeChart(Scenario scenario, List<RunResult> results, String column, String yLabel) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (RunResult r : results) {
            int c = r.columns().indexOf(column);
            if (c < 0) continue;
            XYSeries s = new XYSeries(r.algorithm());
            for (double[] row : r.series()) if (!Double.isNaN(row[c])) s.add(row[0], row[c]);
            data.addSeries(s);
        }
        return style(ChartFactory.createXYLineChart(scenario.title() + ": " + yLabel, "simulated time (s)", yLabel, data,
                PlotOrientation.VERTICAL, true, false, false));
    }

    private static Chart sweepChart(Scenario scenario, List<RunResult> results, String metric, String yLabel) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String a : scenario.algorithms()) {
            XYSeries s = new XYSeries(a);
            for (RunResult r : results) if (r.algorithm().equals(a)) s.add(r.point(), r.metric(metric));
            data.addSeries(s);
        }
        String key = scenario.sweep().key();
        String xLabel = key.equals("load-reports.interval") || key.equals("resolvers.ttl") ? key + " (s)"
                : key.equals("clients.rate") ? key + " (requests/s)" : key;
        return new Chart(metric, style(ChartFactory.createXYLineChart(scenario.title() + ": " + yLabel, xLabel, yLabel, data,
                PlotOrientation.VERTICAL, true, false, false)));
    }

    private static Chart binsChart(Scenario scenario, List<RunResult> results) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String a : scenario.algorithms()) {
            XYSeries s = new XYSeries(a + " (measured)");
            for (RunResult r : results) if (r.algorithm().equals(a)) s.add(r.metric("servers"), r.metric("max-load-mean"));
            data.addSeries(s);
        }
        XYSeries random = new XYSeries("ln n / ln ln n");
        XYSeries two = new XYSeries("ln ln n / ln 2");
        for (RunResult r : results) {
            if (!r.algorithm().equals(scenario.algorithms().get(0))) continue;
            random.add(r.metric("servers"), r.metric("bound-random"));
            two.add(r.metric("servers"), r.metric("bound-two-choices"));
        }
        data.addSeries(random);
        data.addSeries(two);
        JFreeChart chart = ChartFactory.createXYLineChart(scenario.title(), "servers (n balls into n bins)", "maximum load",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("servers (n balls into n bins)");
        x.setBase(10);
        x.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setDomainAxis(x);
        style(chart);
        int bounds = data.getSeriesCount() - 2;
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, PALETTE[(i < bounds ? i : i - bounds) % PALETTE.length]);
            r.setSeriesStroke(i, i < bounds ? new BasicStroke(2.5f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            r.setSeriesShapesVisible(i, i < bounds);
        }
        plot.setRenderer(r);
        return new Chart("max-load", chart);
    }

    /** Colours that stay apart on white and in grey print (Okabe-Ito). */
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)};

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(Color.WHITE);
        if (chart.getPlot() instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
            XYItemRenderer r = xy.getRenderer();
            for (int i = 0; i < xy.getDataset().getSeriesCount(); i++) {
                r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
                r.setSeriesStroke(i, new BasicStroke(2f));
            }
        } else if (chart.getPlot() instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(Color.LIGHT_GRAY);
            for (int i = 0; i < cat.getDataset().getRowCount(); i++) cat.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        return chart;
    }
}
