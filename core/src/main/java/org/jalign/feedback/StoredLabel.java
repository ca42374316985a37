package org.jalign.feedback;

import java.time.Instant;

/**
 * One labeler's verdict on one prompt, as stored; at most one exists per (prompt, labeler).
 *
 * @param ranking             null exactly when {@code skipped}
 * @param gold                whether the prompt was a gold item (for scoring labelers)
 * @param instructionsVersion the instructions the labeler was given
 */
public record StoredLabel(long id, long setId, long promptId, String externalPromptId, long labelerId,
                          String labelerName, int instructionsVersion, StoredRanking ranking, boolean skipped,
                          String comment, boolean gold, Instant assignedAt, Instant labeledAt) {
}
