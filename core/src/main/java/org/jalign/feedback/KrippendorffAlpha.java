package org.jalign.feedback;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Krippendorff's α reliability coefficient, any number of coders per unit, missing data allowed,
 * computed through the coincidence matrix as in Krippendorff (2011), "Computing Krippendorff's
 * Alpha-Reliability" (Annenberg School for Communication, Departmental Papers 43):
 *
 * <ol>
 *   <li>keep the pairable units: those with m_u ≥ 2 values (a unit coded once says nothing about
 *       agreement);</li>
 *   <li>coincidence matrix: o_ck = Σ_u (number of ordered pairs of values (c, k) from different
 *       coders in unit u) / (m_u − 1); its margins n_c = Σ_k o_ck and n = Σ_c n_c (the number of
 *       pairable values);</li>
 *   <li>observed disagreement D_o = (1/n) Σ_c Σ_k o_ck · δ²(c, k);</li>
 *   <li>expected disagreement D_e = 1/(n(n−1)) Σ_c Σ_k n_c · n_k · δ²(c, k);</li>
 *   <li>α = 1 − D_o / D_e.</li>
 * </ol>
 *
 * The metric δ² is the level of measurement ({@link Metric}). α is 1 for perfect agreement, 0 for
 * agreement at chance level, negative for systematic disagreement; NaN when D_e = 0 (every
 * pairable value is the same, so there is no variation to be reliable about) or there are no
 * pairable values.
 */
public final class KrippendorffAlpha {

    /** The level of measurement, i.e. the difference function δ²(c, k) of Krippendorff (2011). */
    public enum Metric {
        /** δ² = 0 if c = k else 1: categories without order (e.g. left / right / tie). */
        NOMINAL,
        /**
         * δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²: only the order of values counts, and the
         * distance between two values grows with how many values lie between them.
         */
        ORDINAL,
        /** δ² = (c − k)². */
        INTERVAL
    }

    private KrippendorffAlpha() {
    }

    /**
     * α over units, each unit the values its coders gave it (missing values simply left out, so
     * units can have different sizes).
     */
    public static double alpha(List<double[]> units, Metric metric) {
        // the distinct values, in order (ordinal δ² depends on the order)
        TreeSet<Double> distinct = new TreeSet<>();
        for (double[] unit : units) {
            if (unit.length >= 2) {
                for (double value : unit) {
                    if (!Double.isFinite(value)) {
                        throw new IllegalArgumentException("values must be finite numbers, got " + value
                                + " (leave a missing value out of its unit instead of coding it)");
                    }
                    distinct.add(value);
                }
            }
        }
        double[] values = distinct.stream().mapToDouble(Double::doubleValue).toArray();
        int v = values.length;
        if (v == 0) {
            return Double.NaN;
        }

        // steps 1-2: coincidence matrix over pairable units
        double[][] coincidences = new double[v][v];
        for (double[] unit : units) {
            int m = unit.length;
            if (m < 2) {
                continue;
            }
            int[] codes = new int[m];
            for (int a = 0; a < m; a++) {
                codes[a] = Arrays.binarySearch(values, unit[a]);
            }
            for (int a = 0; a < m; a++) {
                for (int b = 0; b < m; b++) {
                    if (a != b) {
                        coincidences[codes[a]][codes[b]] += 1.0 / (m - 1);
                    }
                }
            }
        }
        double[] margins = new double[v];
        double n = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) {
                margins[c] += coincidences[c][k];
            }
            n += margins[c];
        }

        // steps 3-4
        double observed = 0;
        double expected = 0;
        for (int c = 0; c < v; c++) {
            for (int k = 0; k < v; k++) {
                double delta = difference(metric, values, margins, c, k);
                observed += coincidences[c][k] * delta;
                expected += margins[c] * margins[k] * delta;
            }
        }
        observed /= n;
        expected /= n * (n - 1);

        // step 5
        return expected == 0 ? Double.NaN : 1 - observed / expected;
    }

    private static double difference(Metric metric, double[] values, double[] margins, int c, int k) {
        if (c == k) {
            return 0;
        }
        return switch (metric) {
            case NOMINAL -> 1;
            case INTERVAL -> (values[c] - values[k]) * (values[c] - values[k]);
            case ORDINAL -> {
                int low = Math.min(c, k);
                int high = Math.max(c, k);
                double between = -(margins[c] + margins[k]) / 2;
                for (int g = low; g <= high; g++) {
                    between += margins[g];
                }
                yield between * between;
            }
        };
    }
}
