package org.jalign.cli;

/** A run that cannot go on, with a message written for the user (exit status 1, no stack trace). */
final class CliFailure extends RuntimeException {
    CliFailure(String message) {
        super(message);
    }
}
