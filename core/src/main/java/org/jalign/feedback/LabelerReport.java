package org.jalign.feedback;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every labeler's quality and the panel medians they were compared against.
 *
 * @param consensusMedian median agreement with the leave-one-out consensus over labelers with
 *                        enough judgements; NaN if none has
 * @param goldMedian      the same for gold agreement
 * @param labelers        in labeler id order
 */
public record LabelerReport(double consensusMedian, double goldMedian, List<LabelerQuality> labelers) {

    public LabelerReport {
        labelers = List.copyOf(labelers);
    }

    /** The flagged labelers' ids, e.g. to exclude from {@link Consensus#of(Panel, ConsensusMethod, Set)}. */
    public Set<String> flaggedLabelers() {
        return labelers.stream().filter(LabelerQuality::flagged).map(LabelerQuality::labelerId)
                .collect(Collectors.toUnmodifiableSet());
    }
}
