package org.jalign.feedback;

import java.util.List;

/**
 * Borda count as mean rank (de Borda 1781; with ties as in the "average rank" or "modified Borda"
 * rule, e.g. Emerson 2013, "The original Borda count and partial voting"):
 *
 * <ol>
 *   <li>each ranking gives each completion its fractional rank ({@link Ranking#fractionalRanks}:
 *       tied completions share the mean of their positions, flagged ones tie for last), so every
 *       ranking hands out the same total 1 + 2 + … + N;</li>
 *   <li>a completion's score is its mean fractional rank over the rankings; lower is better.</li>
 * </ol>
 *
 * Mean rank and Borda points (N − rank) order completions identically.
 */
public final class BordaCount {

    private BordaCount() {
    }

    /** The mean fractional rank of each completion (1 = every ranking put it first). */
    public static double[] meanRanks(List<Ranking> rankings) {
        if (rankings.isEmpty()) {
            throw new IllegalArgumentException("Borda needs at least one ranking");
        }
        int n = rankings.get(0).size();
        double[] mean = new double[n];
        for (Ranking ranking : rankings) {
            if (ranking.size() != n) {
                throw new IllegalArgumentException("rankings of one prompt must cover the same completions, got "
                        + n + " and " + ranking.size());
            }
            double[] fractional = ranking.fractionalRanks();
            for (int i = 0; i < n; i++) {
                mean[i] += fractional[i]; // sums of halves are exact, so equal means stay equal ties
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] /= rankings.size();
        }
        return mean;
    }
}
