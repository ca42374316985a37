package org.jalign.feedback;

import java.util.List;

/**
 * One prompt's consensus.
 *
 * @param promptId     the prompt
 * @param method       how it was reached
 * @param ranking      the consensus: ranks 1..R in "competition" style (1, 2, 2, 4) and a
 *                     {@link Placement.Flag} on completions most labelers flagged
 * @param scores       per completion, the method's own score: Borda, the mean fractional rank
 *                     (lower is better); Bradley–Terry, the strength γ (geometric mean 1; P(i
 *                     beats j) = γ_i / (γ_i + γ_j)); Kemeny, the position in the optimal order (1 = first)
 * @param labelerCount how many labelers' rankings it combines
 */
public record ConsensusRanking(String promptId, ConsensusMethod method, Ranking ranking, List<Double> scores,
                               int labelerCount) {

    public ConsensusRanking {
        scores = List.copyOf(scores);
        if (scores.size() != ranking.size()) {
            throw new IllegalArgumentException("one score per completion: " + scores.size() + " scores for "
                    + ranking.size() + " completions");
        }
        if (labelerCount < 1) {
            throw new IllegalArgumentException("a consensus needs at least one labeler, got " + labelerCount);
        }
    }
}
