package org.jalign.eval;

import org.jalign.data.AtomicFiles;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts of metrics against the step, as a self-contained SVG written by hand: one panel per
 * metric, stacked, each with its axes, ticks, grid, labels and the line.
 *
 * <p>Axes: each runs over "nice" tick values (Heckbert 1990, "Nice numbers for graph labels",
 * Graphics Gems): range = nice(max − min, no rounding), tick step = nice(range / 4, rounded),
 * from floor(min / step)·step to ceil(max / step)·step, where nice(x) is 1, 2, 5 or 10 times a
 * power of ten. A point (step, value) of a panel whose plot area spans [left, right] × [top,
 * bottom] in pixels is drawn at
 * <pre>
 *   x = left + (step − xMin) / (xMax − xMin) · (right − left)
 *   y = bottom − (value − yMin) / (yMax − yMin) · (bottom − top)
 * </pre>
 * with two decimals. A non-finite value breaks the line (one polyline per finite run).
 */
public final class SvgChart {

    /** Panel geometry, pixels. */
    public static final int WIDTH = 640;
    public static final int PANEL_HEIGHT = 260;
    public static final int LEFT = 72;
    public static final int RIGHT = 624;
    /** The plot area's top and bottom within a panel. */
    public static final int TOP = 36;
    public static final int BOTTOM = 212;

    private static final int TARGET_TICKS = 5;

    /** An axis from {@code min} to {@code max} with ticks every {@code step}. */
    public record Axis(double min, double max, double step) {
        public List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            int count = (int) Math.round((max - min) / step);
            for (int i = 0; i <= count; i++) {
                ticks.add(min + i * step);
            }
            return ticks;
        }
    }

    private SvgChart() {
    }

    /** Heckbert's nice number: 1, 2, 5 or 10 × 10^k near {@code x}, rounded or at least {@code x}. */
    static double niceNumber(double x, boolean round) {
        double exponent = Math.floor(Math.log10(x));
        double power = Math.pow(10, exponent);
        double fraction = x / power;
        double nice;
        if (round) {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        }
        return nice * power;
    }

    /** The nice axis covering [min, max]; a single value gets a unit-wide (or ±10%) axis around it. */
    public static Axis niceAxis(double min, double max) {
        if (!(max > min)) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double range = niceNumber(max - min, false);
        double step = niceNumber(range / (TARGET_TICKS - 1), true);
        return new Axis(Math.floor(min / step) * step, Math.ceil(max / step) * step, step);
    }

    /** The x pixel of {@code value} on {@code axis}. */
    public static double x(double value, Axis axis) {
        return LEFT + (value - axis.min()) / (axis.max() - axis.min()) * (RIGHT - LEFT);
    }

    /** The y pixel of {@code value} on {@code axis}, within a panel (0 at the panel's top). */
    public static double y(double value, Axis axis) {
        return BOTTOM - (value - axis.min()) / (axis.max() - axis.min()) * (BOTTOM - TOP);
    }

    /** The whole SVG document: one panel per series, stacked. */
    public static String render(List<MetricsLog.Series> series, String title) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no metric to draw");
        }
        int titleHeight = title == null ? 0 : 28;
        int height = titleHeight + PANEL_HEIGHT * series.size();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        if (title != null) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                    LEFT, Html.escape(title)));
        }
        for (int i = 0; i < series.size(); i++) {
            svg.append(panel(series.get(i), titleHeight + i * PANEL_HEIGHT));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Writes {@link #render} to {@code file} atomically. */
    public static void write(Path file, List<MetricsLog.Series> series, String title) throws IOException {
        AtomicFiles.writeString(file, render(series, title));
    }

    private static String panel(MetricsLog.Series s, int offsetY) {
        double[] steps = s.steps();
        double[] values = s.values();
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < steps.length; i++) {
            xMin = Math.min(xMin, steps[i]);
            xMax = Math.max(xMax, steps[i]);
            if (Double.isFinite(values[i])) {
                yMin = Math.min(yMin, values[i]);
                yMax = Math.max(yMax, values[i]);
            }
        }
        if (!Double.isFinite(yMin)) {   // every value NaN: an empty panel on a unit axis
            yMin = 0;
            yMax = 1;
        }
        Axis xAxis = niceAxis(xMin, xMax);
        Axis yAxis = niceAxis(yMin, yMax);
        StringBuilder g = new StringBuilder();
        g.append(String.format(Locale.ROOT, "<g transform=\"translate(0,%d)\" class=\"panel\">%n", offsetY));
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT, Html.escape(s.name())));
        for (double t : yAxis.ticks()) {
            double y = y(t, yAxis);
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT, y, RIGHT, y));
            g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" dominant-baseline=\"middle\">"
                    + "%s</text>%n", LEFT - 6, y, tickLabel(t, yAxis.step())));
        }
        for (double t : xAxis.ticks()) {
            double x = x(t, xAxis);
            g.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#333\"/>%n",
                    x, BOTTOM, x, BOTTOM + 5));
            g.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, BOTTOM + 18,
                    tickLabel(t, xAxis.step())));
        }
        g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, BOTTOM, RIGHT, BOTTOM));
        g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, TOP, LEFT, BOTTOM));
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                (LEFT + RIGHT) / 2, BOTTOM + 36));
        g.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">"
                + "%s</text>%n", (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2, Html.escape(s.name())));
        for (String points : polylines(steps, values, xAxis, yAxis)) {
            g.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"").append(points).append("\"/>\n");
        }
        for (int i = 0; i < steps.length; i++) {   // a lone finite point would draw no line: mark it
            boolean alone = Double.isFinite(values[i]) && (i == 0 || !Double.isFinite(values[i - 1]))
                    && (i == steps.length - 1 || !Double.isFinite(values[i + 1]));
            if (alone) {
                g.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"#1f77b4\"/>%n",
                        x(steps[i], xAxis), y(values[i], yAxis)));
            }
        }
        g.append("</g>\n");
        return g.toString();
    }

    /** The {@code points} attribute of each run of finite values. */
    static List<String> polylines(double[] steps, double[] values, Axis xAxis, Axis yAxis) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int count = 0;
        for (int i = 0; i <= steps.length; i++) {
            if (i == steps.length || !Double.isFinite(values[i])) {
                if (count >= 2) {
                    out.add(current.toString());
                }
                current.setLength(0);
                count = 0;
                continue;
            }
            if (count > 0) {
                current.append(' ');
            }
            current.append(String.format(Locale.ROOT, "%.2f,%.2f", x(steps[i], xAxis), y(values[i], yAxis)));
            count++;
        }
        return out;
    }

    /**
     * A tick value with as many decimals as its step needs ("0.25", "1500", "-2"); very small
     * steps and very large values in short scientific notation ("4.2E-7"), so labels stay narrow.
     */
    static String tickLabel(double value, double step) {
        if (value != 0 && (step < 1e-4 || Math.abs(value) >= 1e6)) {
            return new BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toString();
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(decimals, java.math.RoundingMode.HALF_EVEN);
        String text = rounded.stripTrailingZeros().toPlainString();
        return text.equals("-0") ? "0" : text;
    }
}
