package org.jalign.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * distinct-n (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation
 * Models", §4.3): the number of distinct n-grams over all of a policy's completions divided by
 * the number of n-grams, on token ids. 1 means no n-gram repeats; a policy that collapsed onto one
 * reply drifts towards 0. Callers pass completions without their closing EOS, which every
 * completion shares and which would count as a repeat.
 */
public final class Diversity {
    private Diversity() {
    }

    /** distinct-n over {@code completions}; NaN when they hold no n-gram at all. */
    public static double distinct(List<int[]> completions, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Set<List<Integer>> seen = new HashSet<>();
        long total = 0;
        for (int[] c : completions) {
            for (int i = 0; i + n <= c.length; i++) {
                Integer[] gram = new Integer[n];
                for (int j = 0; j < n; j++) {
                    gram[j] = c[i + j];
                }
                seen.add(List.of(gram));
                total++;
            }
        }
        return total == 0 ? Double.NaN : (double) seen.size() / total;
    }
}
