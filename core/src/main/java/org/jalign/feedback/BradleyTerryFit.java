package org.jalign.feedback;

import java.util.Arrays;

/**
 * Bradley–Terry strengths from pairwise win counts, fitted by the MM algorithm of Hunter (2004),
 * "MM algorithms for generalized Bradley–Terry models", Annals of Statistics 32(1), §2.
 *
 * <p>Model: P(i beats j) = γ_i / (γ_i + γ_j). Log-likelihood
 * ℓ(γ) = Σ_i Σ_j w_ij (ln γ_i − ln(γ_i + γ_j)), w_ij = times i beat j.
 *
 * <ol>
 *   <li>ties count as half a win each way (the usual reduction; Rao &amp; Kupper 1967 and Davidson
 *       1970 model ties explicitly, which only matters for predicting ties);</li>
 *   <li>prior: {@code priorTiesPerPair} pseudo-ties are added to every pair, i.e. w_ij += prior/2.
 *       Without it a completion that wins (loses) every comparison has γ = ∞ (0): the maximum
 *       likelihood estimate exists only under Ford's (1957) condition, Hunter's Assumption 1 (in
 *       every split of the items into two groups, some item of each group beats some item of the
 *       other). With any prior &gt; 0 every pair has been "compared", so it always holds; the
 *       pseudo-ties act like a Beta-style shrinkage of each pair towards 50/50;</li>
 *   <li>MM update (Hunter 2004, eq. 3), all items at once:
 *       γ_i ← W_i / Σ_{j≠i} N_ij / (γ_i + γ_j), W_i = Σ_j w_ij, N_ij = w_ij + w_ji.
 *       Each step increases ℓ (it maximises a minorizing function), so it converges monotonically;</li>
 *   <li>rescale to geometric mean 1 (γ is identified only up to a common factor);</li>
 *   <li>stop when no ln γ_i moved by more than {@link #TOLERANCE}.</li>
 * </ol>
 *
 * At the fixed point the gradient ∂ℓ/∂ln γ_i = W_i − Σ_j N_ij γ_i / (γ_i + γ_j) is 0, which is
 * the stationarity condition {@link #logLikelihoodGradient} checks.
 */
public final class BradleyTerryFit {

    /** Largest change of any ln γ_i between iterations at convergence. */
    static final double TOLERANCE = 1e-12;

    /** MM converges linearly; for N ≤ ~20 completions this is reached only if the data are nearly degenerate. */
    static final int MAX_ITERATIONS = 1_000_000;

    private BradleyTerryFit() {
    }

    /**
     * Strengths γ (geometric mean 1) for win counts {@code wins[i][j]} = times i was preferred over
     * j (ties as 0.5 each way, as {@link PairwiseView#winMatrix} counts them).
     */
    public static double[] strengths(double[][] wins, double priorTiesPerPair) {
        int n = wins.length;
        if (!(priorTiesPerPair >= 0) || Double.isInfinite(priorTiesPerPair)) {
            throw new IllegalArgumentException("priorTiesPerPair must be a finite number >= 0, got " + priorTiesPerPair);
        }
        // steps 1-2: ties are already halves; add the prior pseudo-ties
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (wins[i].length != n) {
                throw new IllegalArgumentException("wins must be square, row " + i + " has " + wins[i].length
                        + " entries for " + n + " items");
            }
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    if (!(wins[i][j] >= 0) || Double.isInfinite(wins[i][j])) {
                        throw new IllegalArgumentException("wins[" + i + "][" + j + "] must be a finite count >= 0, got "
                                + wins[i][j]);
                    }
                    w[i][j] = wins[i][j] + priorTiesPerPair / 2;
                }
            }
        }
        requireFordsCondition(w);

        double[] totalWins = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                totalWins[i] += w[i][j];
            }
        }
        double[] gamma = new double[n];
        Arrays.fill(gamma, 1.0);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            // step 3
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double denominator = 0;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        denominator += (w[i][j] + w[j][i]) / (gamma[i] + gamma[j]);
                    }
                }
                next[i] = totalWins[i] / denominator;
            }
            // step 4
            normalizeToGeometricMeanOne(next);
            // step 5
            double largestMove = 0;
            for (int i = 0; i < n; i++) {
                largestMove = Math.max(largestMove, Math.abs(Math.log(next[i]) - Math.log(gamma[i])));
            }
            gamma = next;
            if (largestMove < TOLERANCE) {
                return gamma;
            }
        }
        throw new IllegalStateException("Bradley-Terry MM did not converge in " + MAX_ITERATIONS
                + " iterations; the comparisons are nearly degenerate, so use a prior > 0");
    }

    /** P(i beats j) = γ_i / (γ_i + γ_j). */
    public static double probability(double[] strengths, int i, int j) {
        return strengths[i] / (strengths[i] + strengths[j]);
    }

    /**
     * ∂ℓ/∂ln γ_i = W_i − Σ_{j≠i} N_ij γ_i / (γ_i + γ_j) for win counts {@code wins} (include the
     * prior's pseudo-ties to check a fit with a prior); 0 at the maximum.
     */
    public static double[] logLikelihoodGradient(double[][] wins, double[] strengths) {
        int n = wins.length;
        double[] gradient = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    gradient[i] += wins[i][j] - (wins[i][j] + wins[j][i]) * probability(strengths, i, j);
                }
            }
        }
        return gradient;
    }

    private static void normalizeToGeometricMeanOne(double[] gamma) {
        double meanLog = 0;
        for (double g : gamma) {
            meanLog += Math.log(g) / gamma.length;
        }
        double scale = Math.exp(-meanLog);
        for (int i = 0; i < gamma.length; i++) {
            gamma[i] *= scale;
        }
    }

    /**
     * Hunter's Assumption 1: the directed graph "i beat j at least once" is strongly connected.
     * Otherwise some γ is 0 or ∞ and MM runs forever.
     */
    private static void requireFordsCondition(double[][] w) {
        int n = w.length;
        boolean[][] reaches = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                reaches[i][j] = i == j || w[i][j] > 0;
            }
        }
        for (int k = 0; k < n; k++) { // Warshall's transitive closure
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    reaches[i][j] |= reaches[i][k] && reaches[k][j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (!reaches[i][j]) {
                    throw new IllegalArgumentException("item " + i + " never beats item " + j
                            + ", directly or through others, so its maximum-likelihood strength is 0 relative to it"
                            + " (Ford's condition fails); use a prior > 0 (e.g. "
                            + ConsensusMethod.BradleyTerry.DEFAULT_PRIOR_TIES_PER_PAIR + " ties per pair)");
                }
            }
        }
    }
}
