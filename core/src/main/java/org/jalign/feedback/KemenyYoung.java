package org.jalign.feedback;

/**
 * The Kemeny–Young consensus: the strict order of the completions that disagrees with the fewest
 * labeler pairwise preferences (Kemeny 1959, "Mathematics without numbers"; Young &amp; Levenglick
 * 1978, "A consistent extension of Condorcet's election principle"). It is the maximum-likelihood
 * order when each labeler flips each pair independently with the same probability (Young 1988),
 * and it ranks a Condorcet winner first, which {@link BordaCount} need not. Finding it is NP-hard
 * (Bartholdi, Tovey &amp; Trick 1989), so this searches exhaustively, for N ≤ {@link #MAX_COMPLETIONS}.
 *
 * <ol>
 *   <li>cost of an order = Σ over positions a &lt; b of wins[order[b]][order[a]], the labeler
 *       preferences it reverses; a labeler's tie counts ½ against either order of the pair, so
 *       ties add the same to every order and do not change which is best;</li>
 *   <li>visit all N! orders, in lexicographic order of positions in the caller's tie-break order;</li>
 *   <li>keep the first order with the strictly smallest cost: among equally good orders, the one
 *       that is lexicographically first in the tie-break order wins (deterministic).</li>
 * </ol>
 */
public final class KemenyYoung {

    /** 8! = 40,320 orders × 28 pairs: about a million additions, a few milliseconds. */
    public static final int MAX_COMPLETIONS = 8;

    private KemenyYoung() {
    }

    /**
     * The optimal order, best first.
     *
     * @param wins          {@code wins[i][j]} = labelers preferring i over j ({@link PairwiseView#winMatrix})
     * @param tieBreakOrder a permutation of 0..N−1; among orders with the same cost, the one that
     *                      follows it longest wins (e.g. the Borda order, then index)
     */
    public static int[] optimalOrder(double[][] wins, int[] tieBreakOrder) {
        int n = wins.length;
        if (n > MAX_COMPLETIONS) {
            throw new IllegalArgumentException("Kemeny-Young searches all N! orders and is limited to N <= "
                    + MAX_COMPLETIONS + " completions, got " + n + "; use Borda or Bradley-Terry for more");
        }
        requirePermutation(tieBreakOrder, n);
        // step 2: permute positions into tieBreakOrder, starting from the identity (= tieBreakOrder itself)
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
        }
        int[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        int[] order = new int[n];
        do {
            for (int i = 0; i < n; i++) {
                order[i] = tieBreakOrder[positions[i]];
            }
            double cost = disagreements(order, wins);
            // step 3: strictly smaller, so the first optimum found is kept
            if (cost < bestCost) {
                bestCost = cost;
                best = order.clone();
            }
        } while (nextPermutation(positions));
        return best;
    }

    /** Step 1: the labeler preferences an order (best first) reverses. */
    public static double disagreements(int[] order, double[][] wins) {
        double cost = 0;
        for (int a = 0; a < order.length; a++) {
            for (int b = a + 1; b < order.length; b++) {
                cost += wins[order[b]][order[a]];
            }
        }
        return cost;
    }

    /** Rearranges to the next permutation in lexicographic order; false after the last one. */
    private static boolean nextPermutation(int[] a) {
        int i = a.length - 2;
        while (i >= 0 && a[i] >= a[i + 1]) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        int j = a.length - 1;
        while (a[j] <= a[i]) {
            j--;
        }
        swap(a, i, j);
        for (int left = i + 1, right = a.length - 1; left < right; left++, right--) {
            swap(a, left, right);
        }
        return true;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void requirePermutation(int[] order, int n) {
        boolean[] seen = new boolean[n];
        if (order.length != n) {
            throw new IllegalArgumentException("tieBreakOrder must list all " + n + " items, got " + order.length);
        }
        for (int item : order) {
            if (item < 0 || item >= n || seen[item]) {
                throw new IllegalArgumentException("tieBreakOrder must be a permutation of 0.." + (n - 1));
            }
            seen[item] = true;
        }
    }
}
