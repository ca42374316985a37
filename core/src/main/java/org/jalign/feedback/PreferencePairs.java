package org.jalign.feedback;

import java.util.ArrayList;
import java.util.List;

/**
 * A ranking of N completions as the preference pairs a reward model or DPO trains on: each of the
 * N-choose-2 pairs with a strict preference, preferred completion first (Ouyang et al. 2022,
 * InstructGPT §3.5: "K-choose-2 comparisons" per prompt; Ziegler et al. 2019 likewise).
 *
 * <ol>
 *   <li>both ranked, different ranks: a pair, lower rank chosen; equal ranks: no pair (a tie says
 *       nothing about which to prefer);</li>
 *   <li>one flagged: the ranked completion is chosen ({@link FlagPolicy#LOSES_TO_RANKED}), or no
 *       pair ({@link FlagPolicy#DROPPED});</li>
 *   <li>both flagged: no pair;</li>
 *   <li>margin = rank(rejected) − rank(chosen), a flagged completion counting as rank R + 1,
 *       R the largest rank given.</li>
 * </ol>
 */
public final class PreferencePairs {

    private PreferencePairs() {
    }

    /** The pairs of a consensus ranking, carrying its labeler count. */
    public static List<PreferencePair> of(ConsensusRanking consensus, FlagPolicy flags) {
        return of(consensus.promptId(), consensus.ranking(), consensus.labelerCount(), flags);
    }

    /** The pairs of any ranking, e.g. one labeler's (labelerCount 1) or a gold ranking. */
    public static List<PreferencePair> of(String promptId, Ranking ranking, int labelerCount, FlagPolicy flags) {
        int largestRank = 0;
        for (int i = 0; i < ranking.size(); i++) {
            largestRank = ranking.isFlagged(i) ? largestRank : Math.max(largestRank, ranking.rank(i));
        }
        int flaggedRank = largestRank + 1;
        List<PreferencePair> pairs = new ArrayList<>();
        for (PairJudgement judgement : PairwiseView.of(ranking, flags)) { // steps 1-3
            if (judgement.outcome() == PairOutcome.TIE) {
                continue;
            }
            boolean firstChosen = judgement.outcome() == PairOutcome.FIRST_PREFERRED;
            int chosen = firstChosen ? judgement.first() : judgement.second();
            int rejected = firstChosen ? judgement.second() : judgement.first();
            // step 4
            int chosenRank = ranking.rank(chosen); // a chosen completion is never flagged
            int rejectedRank = ranking.isFlagged(rejected) ? flaggedRank : ranking.rank(rejected);
            pairs.add(new PreferencePair(promptId, chosen, rejected, rejectedRank - chosenRank, labelerCount));
        }
        return List.copyOf(pairs);
    }
}
