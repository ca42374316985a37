package org.jalign.feedback;

/**
 * One training comparison: the chosen completion was ranked above the rejected one.
 *
 * @param promptId     the prompt
 * @param chosen       index of the preferred completion
 * @param rejected     index of the other completion
 * @param margin       rank of rejected − rank of chosen in the consensus, ≥ 1; a flagged rejected
 *                     completion counts as rank R + 1 (R = the largest rank). Usable as the
 *                     margin of a margin ranking loss (Touvron et al. 2023, Llama 2, §3.2.2)
 * @param labelerCount how many labelers the ranking combines (1 for a single labeler's ranking)
 */
public record PreferencePair(String promptId, int chosen, int rejected, double margin, int labelerCount) {

    public PreferencePair {
        if (chosen == rejected || chosen < 0 || rejected < 0) {
            throw new IllegalArgumentException("a pair needs two different completion indices >= 0, got chosen "
                    + chosen + " and rejected " + rejected);
        }
        if (!(margin > 0)) {
            throw new IllegalArgumentException("margin must be > 0 (ties produce no pair), got " + margin);
        }
        if (labelerCount < 1) {
            throw new IllegalArgumentException("labelerCount must be >= 1, got " + labelerCount);
        }
    }
}
