package org.jalign.feedback;

/**
 * A labeler just created (or re-invited) and the one-time invite token to hand them, e.g. in a
 * link. The token exists only here: the store keeps its SHA-256 hash, so it cannot be shown again.
 */
public record StoredInvitation(StoredLabeler labeler, String inviteToken) {
    @Override
    public String toString() {
        return "StoredInvitation[labeler=" + labeler + ", inviteToken=<secret>]";
    }
}
