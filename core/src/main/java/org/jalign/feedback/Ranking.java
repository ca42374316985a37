package org.jalign.feedback;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One labeler's judgement of one prompt's N completions: a {@link Placement} per completion, in
 * the completions' stored order (index 0 .. N−1, the order the data has, not the shuffled order
 * the labeler saw).
 *
 * <p>Ranks go from 1 (best) to N; equal ranks are ties; gaps are allowed ("1, 1, 3" and "1, 1, 2"
 * say the same), because only the order of ranks is used. Flagged completions carry no rank.
 *
 * @param placements one per completion, at least 2
 */
public record Ranking(List<Placement> placements) {

    public Ranking {
        placements = List.copyOf(placements);
        if (placements.size() < 2) {
            throw new IllegalArgumentException(
                    "a ranking needs at least 2 completions, got " + placements.size());
        }
        for (int i = 0; i < placements.size(); i++) {
            if (placements.get(i) instanceof Placement.Rank rank && rank.value() > placements.size()) {
                throw new IllegalArgumentException("completion " + i + " has rank " + rank.value()
                        + " but a ranking of " + placements.size() + " completions has ranks 1 (best) to "
                        + placements.size());
            }
        }
    }

    /** All completions ranked: {@code ranks[i]} is completion i's rank (1 = best). */
    public static Ranking of(int... ranks) {
        List<Placement> placements = new ArrayList<>(ranks.length);
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] < 1) {
                throw new IllegalArgumentException("completion " + i + " has rank " + ranks[i]
                        + "; ranks go from 1 (best) to " + ranks.length);
            }
            placements.add(new Placement.Rank(ranks[i]));
        }
        return new Ranking(placements);
    }

    /**
     * A ranking as a labeling form submits it: a rank or {@code null} per completion, and the set
     * of flagged completion indices. Every completion must be either ranked or flagged, not both.
     */
    public static Ranking fromForm(List<Integer> ranks, Set<Integer> flaggedCompletions) {
        int n = ranks.size();
        for (int flagged : flaggedCompletions) {
            if (flagged < 0 || flagged >= n) {
                throw new IllegalArgumentException("flagged completion " + flagged
                        + " does not exist; completions are numbered 0 to " + (n - 1));
            }
        }
        List<Placement> placements = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Integer rank = ranks.get(i);
            boolean flagged = flaggedCompletions.contains(i);
            if (rank != null && flagged) {
                throw new IllegalArgumentException("completion " + i + " is both ranked (rank " + rank
                        + ") and flagged; a flagged completion carries no rank, so submit one or the other");
            }
            if (rank == null && !flagged) {
                throw new IllegalArgumentException("completion " + i + " is neither ranked nor flagged; "
                        + "give it a rank from 1 (best) to " + n + " or flag it as nonsensical");
            }
            if (rank != null && (rank < 1 || rank > n)) {
                throw new IllegalArgumentException("completion " + i + " has rank " + rank
                        + " but a ranking of " + n + " completions has ranks 1 (best) to " + n);
            }
            placements.add(flagged ? new Placement.Flag() : new Placement.Rank(rank));
        }
        return new Ranking(placements);
    }

    /** The number of completions, N. */
    public int size() {
        return placements.size();
    }

    public boolean isFlagged(int completion) {
        return placements.get(completion) instanceof Placement.Flag;
    }

    /** Completion i's rank; throws for a flagged completion. */
    public int rank(int completion) {
        if (placements.get(completion) instanceof Placement.Rank rank) {
            return rank.value();
        }
        throw new IllegalStateException("completion " + completion + " is flagged and has no rank");
    }

    public int rankedCount() {
        int count = 0;
        for (Placement placement : placements) {
            if (placement instanceof Placement.Rank) {
                count++;
            }
        }
        return count;
    }

    /**
     * Fractional ("average") ranks 1..N, the ranks Borda counts and the ordinal α use: ranked
     * completions take positions 1..R in rank order, tied ones share the mean of their positions
     * (ranks 1, 1, 3 → 1.5, 1.5, 3); the flagged ones share the mean of positions R+1..N, i.e. they
     * tie for last.
     */
    public double[] fractionalRanks() {
        int n = size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(sortKey(a), sortKey(b)));
        double[] fractional = new double[n];
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && sortKey(order[end + 1]) == sortKey(order[start])) {
                end++;
            }
            double meanPosition = (start + end) / 2.0 + 1; // positions start..end, 0-based
            for (int k = start; k <= end; k++) {
                fractional[order[k]] = meanPosition;
            }
            start = end + 1;
        }
        return fractional;
    }

    /** Rank, with every flagged completion after every possible rank. */
    private int sortKey(int completion) {
        return isFlagged(completion) ? Integer.MAX_VALUE : rank(completion);
    }
}
