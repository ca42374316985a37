package org.jalign.feedback;

import java.time.Instant;

/**
 * A signed-in labeler: the session token to put in a cookie (only its hash is stored) and when it
 * stops working.
 */
public record StoredSession(String sessionToken, StoredLabeler labeler, Instant expiresAt) {
    @Override
    public String toString() {
        return "StoredSession[labeler=" + labeler + ", expiresAt=" + expiresAt + ", sessionToken=<secret>]";
    }
}
