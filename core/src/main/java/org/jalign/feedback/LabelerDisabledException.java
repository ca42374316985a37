package org.jalign.feedback;

/** A write by a labeler who has been disabled (their sessions ended; their labels stay). */
public final class LabelerDisabledException extends IllegalStateException {
    public LabelerDisabledException(String message) {
        super(message);
    }
}
