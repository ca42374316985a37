package org.jalign.feedback;

/**
 * A second, different label (or thumb) for the same (item, labeler): labels are final, and the
 * first one stands. A retry of the identical payload is not a conflict.
 */
public final class StoreConflictException extends FeedbackStoreException {
    public StoreConflictException(String message) {
        super(message);
    }
}
