package org.jalign.feedback;

import java.util.Set;

/**
 * One labeler's agreement with the panel and with gold rankings.
 *
 * @param labelerId           the labeler
 * @param withConsensus       pairwise agreement with the consensus of the other labelers on the same prompts
 * @param consensusLowerBound Wilson lower confidence bound of that agreement (0 when nothing was compared)
 * @param withGold            pairwise agreement with the gold rankings of the gold prompts they judged
 * @param goldLowerBound      Wilson lower confidence bound of that agreement (0 when nothing was compared)
 * @param flags               why the labeler is flagged; empty when not
 */
public record LabelerQuality(String labelerId, AgreementCount withConsensus, double consensusLowerBound,
                             AgreementCount withGold, double goldLowerBound, Set<LabelerQuality.Reason> flags) {

    /** What a flag is based on. */
    public enum Reason {
        /** Credibly below the panel's median agreement with the leave-one-out consensus. */
        LOW_CONSENSUS_AGREEMENT,
        /** Credibly below the panel's median agreement with gold rankings. */
        LOW_GOLD_AGREEMENT
    }

    public LabelerQuality {
        flags = Set.copyOf(flags);
    }

    public boolean flagged() {
        return !flags.isEmpty();
    }
}
