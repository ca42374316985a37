package org.jalign.feedback;

import java.time.Instant;

/** One version of a set's labeling instructions; every label records the version it was given. */
public record StoredInstructions(long setId, int version, String text, Instant createdAt) {
}
