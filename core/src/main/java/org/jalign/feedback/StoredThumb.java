package org.jalign.feedback;

import java.time.Instant;

/** A thumbs-up or thumbs-down on a single completion; at most one per (completion, labeler). */
public record StoredThumb(long id, long setId, long promptId, long completionId, long labelerId, boolean up,
                          int instructionsVersion, String comment, Instant ratedAt) {
}
