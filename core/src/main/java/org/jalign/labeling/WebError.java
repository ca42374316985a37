package org.jalign.labeling;

/** A request refused with an HTTP status and a message for the person or script that sent it. */
final class WebError extends RuntimeException {
    private final int status;

    WebError(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static WebError badRequest(String message) {
        return new WebError(400, message);
    }

    static WebError notFound(String message) {
        return new WebError(404, message);
    }
}
