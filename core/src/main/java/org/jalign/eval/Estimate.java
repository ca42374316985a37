package org.jalign.eval;

/**
 * A sample mean with its standard error: s.e. = s / √n, s the sample standard deviation with
 * Bessel's correction (n − 1). The 95% interval is the normal one, mean ± 1.96·s.e.
 *
 * @param standardError NaN when n &lt; 2 (one value says nothing about spread)
 */
public record Estimate(double mean, double standardError, int count) {

    /** z for a two-sided 95% normal interval. */
    public static final double Z95 = 1.959963984540054;

    public Estimate {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
    }

    /** Mean and standard error of {@code values} (NaN mean for none). */
    public static Estimate of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Estimate(Double.NaN, Double.NaN, 0);
        }
        // two passes: the mean first, then squared deviations from it (no catastrophic cancellation)
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n < 2) {
            return new Estimate(mean, Double.NaN, n);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double variance = squares / (n - 1);
        return new Estimate(mean, Math.sqrt(variance / n), n);
    }

    public double lower95() {
        return mean - Z95 * standardError;
    }

    public double upper95() {
        return mean + Z95 * standardError;
    }
}
