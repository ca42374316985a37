package org.jalign.spark;

/** A failure whose message is the whole story for the user: printed without a stack trace, status 1. */
final class JobFailure extends RuntimeException {
    JobFailure(String message) {
        super(message);
    }
}
