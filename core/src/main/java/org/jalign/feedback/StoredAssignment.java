package org.jalign.feedback;

import java.time.Instant;
import java.util.List;

/**
 * What a labeler is shown for one prompt: everything needed to render the labeling page and
 * nothing that would unblind it (no model ids, no stored positions, no gold marker).
 *
 * @param completions         in this labeler's own shuffled order, fixed at assignment
 * @param instructionsVersion the version to submit with the label
 */
public record StoredAssignment(long setId, long promptId, String promptText, List<ShownCompletion> completions,
                               String criterion, String criterionText, int instructionsVersion,
                               String instructionsText, Instant assignedAt) {
    public StoredAssignment {
        completions = List.copyOf(completions);
    }

    /**
     * A completion as shown. The web app should name completions to the browser by their place in
     * {@link #completions()} (1..N) and map back to {@code completionId} on submit, because ids
     * grow in storage order and would hint at it.
     */
    public record ShownCompletion(long completionId, String text) {
    }
}
