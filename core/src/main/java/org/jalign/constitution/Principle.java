package org.jalign.constitution;

/**
 * One principle of a constitution: how to ask for a critique of a response under it, how to ask
 * for a revision that answers the critique (Bai et al. 2022, §3.1, the SL stage), and the
 * question a judge answers when it compares two responses under it (§4.1, the RL stage).
 *
 * @param id       short unique name, written into traces and manifests
 * @param critique the request that follows the response, e.g. "Point out anything harmful..."
 * @param revision the request that follows the critique, e.g. "Rewrite the response to..."
 * @param judge    the multiple-choice question, e.g. "Which response is less harmful?"
 */
public record Principle(String id, String critique, String revision, String judge) {
    public Principle {
        requireText(id, "id");
        requireText(critique, "critique");
        requireText(revision, "revision");
        requireText(judge, "judge");
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("principle field \"" + field + "\" must be non-empty text");
        }
    }
}
