package org.jalign.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A ranking of N completions seen as judgements on its N(N−1)/2 unordered pairs, the unit that
 * agreement, Bradley–Terry and Kemeny work on and the unit a reward model trains on (Ouyang et al.
 * 2022, "Training language models to follow instructions with human feedback", §3.5: a ranking of
 * K completions yields K-choose-2 comparisons).
 *
 * <ol>
 *   <li>both ranked: the lower rank is preferred; equal ranks are a tie;</li>
 *   <li>one flagged, one ranked: the ranked one is preferred ({@link FlagPolicy#LOSES_TO_RANKED})
 *       or there is no judgement ({@link FlagPolicy#DROPPED});</li>
 *   <li>both flagged: no judgement (neither is known to be better, and calling it a tie would
 *       count two nonsense completions as agreement).</li>
 * </ol>
 */
public final class PairwiseView {

    private PairwiseView() {
    }

    /** The judgement on pair (first, second), first &lt; second, or empty when there is none. */
    public static Optional<PairOutcome> outcome(Ranking ranking, int first, int second, FlagPolicy flags) {
        if (first < 0 || second <= first || second >= ranking.size()) {
            throw new IllegalArgumentException("pair (" + first + ", " + second + ") is not 0 <= first < second < "
                    + ranking.size());
        }
        boolean firstFlagged = ranking.isFlagged(first);
        boolean secondFlagged = ranking.isFlagged(second);
        // step 3
        if (firstFlagged && secondFlagged) {
            return Optional.empty();
        }
        // step 2
        if (firstFlagged || secondFlagged) {
            if (flags == FlagPolicy.DROPPED) {
                return Optional.empty();
            }
            return Optional.of(firstFlagged ? PairOutcome.SECOND_PREFERRED : PairOutcome.FIRST_PREFERRED);
        }
        // step 1
        int comparison = Integer.compare(ranking.rank(first), ranking.rank(second));
        return Optional.of(comparison < 0 ? PairOutcome.FIRST_PREFERRED
                : comparison > 0 ? PairOutcome.SECOND_PREFERRED : PairOutcome.TIE);
    }

    /** Every pair with a judgement, in order (0,1), (0,2), …, (N−2, N−1). */
    public static List<PairJudgement> of(Ranking ranking, FlagPolicy flags) {
        List<PairJudgement> judgements = new ArrayList<>();
        for (int first = 0; first < ranking.size(); first++) {
            for (int second = first + 1; second < ranking.size(); second++) {
                int i = first;
                int j = second;
                outcome(ranking, i, j, flags).ifPresent(o -> judgements.add(new PairJudgement(i, j, o)));
            }
        }
        return List.copyOf(judgements);
    }

    /**
     * Win counts over several rankings of one prompt: {@code wins[i][j]} = how many rankings
     * prefer i over j, a tie counting half for each side; both-flagged pairs count for neither.
     * The input of {@link BradleyTerryFit} and {@link KemenyYoung}.
     */
    public static double[][] winMatrix(List<Ranking> rankings, FlagPolicy flags) {
        if (rankings.isEmpty()) {
            throw new IllegalArgumentException("a win matrix needs at least one ranking");
        }
        int n = rankings.get(0).size();
        double[][] wins = new double[n][n];
        for (Ranking ranking : rankings) {
            if (ranking.size() != n) {
                throw new IllegalArgumentException("rankings of one prompt must cover the same completions, got "
                        + n + " and " + ranking.size());
            }
            for (PairJudgement judgement : of(ranking, flags)) {
                switch (judgement.outcome()) {
                    case FIRST_PREFERRED -> wins[judgement.first()][judgement.second()] += 1;
                    case SECOND_PREFERRED -> wins[judgement.second()][judgement.first()] += 1;
                    case TIE -> {
                        wins[judgement.first()][judgement.second()] += 0.5;
                        wins[judgement.second()][judgement.first()] += 0.5;
                    }
                }
            }
        }
        return wins;
    }
}
