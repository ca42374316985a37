package org.jalign.sft;

import org.jalign.data.ChatMessage;

import java.util.List;
import java.util.Objects;

/**
 * One supervised example, in one of TRL's two dataset formats, with the line it came from so
 * that later failures (a template that rejects it) can still name file and line.
 */
public sealed interface SftExample permits SftExample.PromptCompletion, SftExample.Conversation {

    /** The file as the user named it. */
    String source();

    /** 1-based line in {@link #source()}. */
    int lineNumber();

    /** {@code {"prompt": ..., "completion": ...}}: the loss is on the completion (and the EOS after it). */
    record PromptCompletion(String prompt, String completion, String source, int lineNumber) implements SftExample {
        public PromptCompletion {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(completion, "completion");
            Objects.requireNonNull(source, "source");
        }
    }

    /** {@code {"messages": [...]}}: the loss is on every assistant turn, as the chat template renders it. */
    record Conversation(List<ChatMessage> messages, String source, int lineNumber) implements SftExample {
        public Conversation {
            messages = List.copyOf(messages);
            Objects.requireNonNull(source, "source");
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a conversation needs at least one message");
            }
        }
    }
}
