package org.jalign.data;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One turn of a conversation, as chat templates see it: {@code {"role": ..., "content": ...}}.
 *
 * @param role    who speaks; a template reads it as the lower-case string of {@link Role#jsonName()}
 * @param content the text of the turn, never null (an empty turn is {@code ""})
 */
public record ChatMessage(Role role, String content) {

    /** The roles of TRL's conversational format (and of every Hugging Face chat template). */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The name in JSONL and in templates: {@code system}, {@code user}, {@code assistant}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role spelled {@code name} exactly (lower case, as JSONL writes it), or empty. */
        public static Optional<Role> of(String name) {
            for (Role r : values()) {
                if (r.jsonName().equals(name)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
