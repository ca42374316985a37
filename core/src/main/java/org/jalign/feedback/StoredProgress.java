package org.jalign.feedback;

/**
 * A labeler's progress in a set: {@code done} of {@code assigned} items labeled (skips count as
 * done).
 */
public record StoredProgress(long labelerId, String labelerName, int done, int assigned) {
}
