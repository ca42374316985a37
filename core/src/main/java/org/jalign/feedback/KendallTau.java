package org.jalign.feedback;

/**
 * Kendall's τ_b: rank correlation that accounts for ties in either ranking (Kendall 1945, "The
 * treatment of ties in ranking problems"; the statistic {@code scipy.stats.kendalltau} computes
 * by default).
 *
 * <pre>
 *   τ_b = (n_c − n_d) / √((n_0 − n_1)(n_0 − n_2))
 *   n_0 = n(n−1)/2            all pairs
 *   n_1 = Σ_i t_i(t_i−1)/2    pairs tied in x (t_i = size of the i-th group of ties in x)
 *   n_2 = Σ_j u_j(u_j−1)/2    pairs tied in y
 *   n_c, n_d                  pairs ordered the same / the opposite way in x and y
 * </pre>
 *
 * A pair tied in x or y is neither concordant nor discordant. O(n²) over pairs, which is right for
 * rankings of a handful of completions.
 */
public final class KendallTau {

    private KendallTau() {
    }

    /**
     * τ_b of two paired samples; NaN when either is constant (the denominator is 0), as in scipy.
     */
    public static double tauB(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y must have the same length, got " + x.length + " and " + y.length);
        }
        long concordant = 0;
        long discordant = 0;
        long tiedInX = 0; // n_1: Σ t(t−1)/2 equals the number of pairs tied in x
        long tiedInY = 0; // n_2
        int n = x.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int signX = Double.compare(x[i], x[j]);
                int signY = Double.compare(y[i], y[j]);
                if (signX == 0) {
                    tiedInX++;
                }
                if (signY == 0) {
                    tiedInY++;
                }
                if (signX != 0 && signY != 0) {
                    if (Integer.signum(signX) == Integer.signum(signY)) {
                        concordant++;
                    } else {
                        discordant++;
                    }
                }
            }
        }
        long allPairs = (long) n * (n - 1) / 2;
        double denominator = Math.sqrt((double) (allPairs - tiedInX) * (allPairs - tiedInY));
        return denominator == 0 ? Double.NaN : (concordant - discordant) / denominator;
    }

    /**
     * τ_b of two labelers' rankings of the same prompt, over the completions both ranked (a
     * flagged completion has no rank to correlate; the flags themselves are compared by the
     * pairwise agreement and α). NaN when fewer than 2 completions are ranked by both or either
     * ranking ties all of them.
     */
    public static double tauB(Ranking x, Ranking y) {
        if (x.size() != y.size()) {
            throw new IllegalArgumentException("rankings of the same prompt must cover the same completions, got "
                    + x.size() + " and " + y.size());
        }
        int both = 0;
        for (int i = 0; i < x.size(); i++) {
            if (!x.isFlagged(i) && !y.isFlagged(i)) {
                both++;
            }
        }
        double[] xs = new double[both];
        double[] ys = new double[both];
        int k = 0;
        for (int i = 0; i < x.size(); i++) {
            if (!x.isFlagged(i) && !y.isFlagged(i)) {
                xs[k] = x.rank(i);
                ys[k] = y.rank(i);
                k++;
            }
        }
        return both < 2 ? Double.NaN : tauB(xs, ys);
    }
}
