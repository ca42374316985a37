package org.jalign.feedback;

import java.time.Instant;

/**
 * A person who labels (or administers) in the store. Their invite token and session tokens are
 * never stored, only SHA-256 hashes of them.
 *
 * @param inviteUsedAt when the invite was redeemed; null while it is still open
 */
public record StoredLabeler(long id, String name, Role role, boolean disabled, Instant createdAt,
                            Instant inviteUsedAt) {

    /** An admin creates labelers and sees reports; a labeler only labels. */
    public enum Role { ADMIN, LABELER }
}
