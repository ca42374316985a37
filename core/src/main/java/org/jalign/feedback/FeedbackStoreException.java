package org.jalign.feedback;

/**
 * The feedback database failed or was busy for too long; the message names the file and the
 * operation. Unchecked: callers (web handlers, commands) can only report it.
 */
public class FeedbackStoreException extends RuntimeException {
    public FeedbackStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public FeedbackStoreException(String message) {
        super(message);
    }
}
