package org.jalign.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A panel with a known truth: each prompt has a hidden true order of its completions; careful
 * labelers see every pair the true way except with probability {@code flipProbability} (a
 * Mallows model, see {@link #noisyRanking}); careless labelers rank uniformly at random.
 */
public final class SimulatedPanel {

    final List<Judgement> judgements = new ArrayList<>();
    /** trueRanks.get(p)[i]: completion i's true rank (1 = best) on prompt p. */
    final List<int[]> trueRanks = new ArrayList<>();

    SimulatedPanel(int prompts, int completions, List<String> careful, List<String> random, double flipProbability,
                   long seed) {
        Random rng = new Random(seed);
        for (int p = 0; p < prompts; p++) {
            int[] truth = shuffledRanks(completions, rng);
            trueRanks.add(truth);
            String promptId = String.format("prompt-%03d", p);
            for (String labeler : careful) {
                judgements.add(new Judgement(promptId, labeler, Criterion.HELPFULNESS,
                        noisyRanking(truth, flipProbability, rng)));
            }
            for (String labeler : random) {
                judgements.add(new Judgement(promptId, labeler, Criterion.HELPFULNESS,
                        Ranking.of(shuffledRanks(completions, rng))));
            }
        }
    }

    Panel panel() {
        return new Panel(judgements);
    }

    /** A uniformly random ranking of n completions, as ranks 1..n. */
    public static int[] shuffledRanks(int n, Random rng) {
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) {
            ranks[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = ranks[i];
            ranks[i] = ranks[j];
            ranks[j] = t;
        }
        return ranks;
    }

    /**
     * Flip each true pairwise preference independently with the given probability and keep the
     * result only if it is a ranking (transitive); otherwise draw again. Accepted rankings π then
     * have probability ∝ ∏_pairs (p if flipped else 1 − p) ∝ φ^{d(π, truth)}, φ = p / (1 − p),
     * with d the number of flipped pairs (Kendall distance): exactly the Mallows (1957) model,
     * the standard "noisy ranking" in rank aggregation.
     */
    static Ranking noisyRanking(int[] truth, double flipProbability, Random rng) {
        return Ranking.of(noisyRanks(truth, flipProbability, rng));
    }

    /** As {@link #noisyRanking}, as ranks 1..n (for tests that submit labels through the store). */
    public static int[] noisyRanks(int[] truth, double flipProbability, Random rng) {
        int n = truth.length;
        while (true) {
            int[] wins = new int[n];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    boolean iBetter = truth[i] < truth[j];
                    if (rng.nextDouble() < flipProbability) {
                        iBetter = !iBetter;
                    }
                    wins[iBetter ? i : j]++;
                }
            }
            // a tournament is transitive exactly when its win counts are 0, 1, …, n − 1
            int[] ranks = new int[n];
            boolean[] seen = new boolean[n];
            boolean transitive = true;
            for (int i = 0; i < n; i++) {
                transitive &= !seen[wins[i]];
                seen[wins[i]] = true;
                ranks[i] = n - wins[i];
            }
            if (transitive) {
                return ranks;
            }
        }
    }
}
