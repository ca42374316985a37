package org.jalign.constitution;

import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One prompt to critique and revise, from a JSONL line {@code {"prompt": "...", "prompt_id":
 * "...", "response": "..."}}: {@code prompt_id} optional (else {@code sha256:} + 16 hex digits of
 * the text, as {@code feedback create} names prompts), {@code response} optional (the initial
 * response to revise; else the model samples one).
 *
 * @param index 0-based position in the file: seeds this prompt's draws and samples
 */
public record RevisionPrompt(int index, String id, String prompt, Optional<String> response) {

    /** Every line of {@code file}; ids must be unique. */
    public static List<RevisionPrompt> read(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader);
        }
    }

    public static List<RevisionPrompt> read(JsonlReader reader) {
        List<RevisionPrompt> prompts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonlReader.Line line : reader) {
            String prompt = JsonlFields.requireString(line, "prompt");
            if (prompt.isBlank()) {
                throw line.error("field \"prompt\" is empty", "a non-empty prompt");
            }
            String id = JsonlFields.optionalString(line, "prompt_id").orElse(textId(prompt));
            if (!ids.add(id)) {
                throw line.error("prompt id \"" + id + "\" appears on an earlier line",
                        "unique prompt ids (give \"prompt_id\" to tell equal prompts apart)");
            }
            prompts.add(new RevisionPrompt(prompts.size(), id, prompt, JsonlFields.optionalString(line, "response")));
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException(reader.source() + ": no prompt; expected one {\"prompt\": ...} a line");
        }
        return prompts;
    }

    /** {@code sha256:} + the first 16 hex digits of SHA-256(text). */
    public static String textId(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
