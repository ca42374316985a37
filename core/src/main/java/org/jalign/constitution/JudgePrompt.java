package org.jalign.constitution;

import org.jalign.data.ChatMessage;

import java.util.List;

/**
 * The multiple-choice question a judge model answers, after Bai et al. 2022 §4.1 ("Consider the
 * following conversation... [PRINCIPLE] Options: (A) ... (B) ... The answer is:"): the
 * conversation, the principle's judging question and the two options go in one user turn; the
 * assistant's turn is opened with {@value #ANSWER_PREFIX} so the judge's very next token is its
 * answer, whose probability is read instead of sampled.
 */
public final class JudgePrompt {
    /** Text the judge's turn starts with; the next token is {@link #FIRST} or {@link #SECOND}. */
    public static final String ANSWER_PREFIX = "The answer is: (";
    /** The answer naming the option shown first. */
    public static final String FIRST = "A";
    /** The answer naming the option shown second. */
    public static final String SECOND = "B";

    private JudgePrompt() {
    }

    /** The user turn asking {@code comparison}'s question. */
    public static List<ChatMessage> messages(PreferenceJudge.Comparison comparison) {
        String question = "Consider the following conversation between a human and an assistant.\n\n"
                + "Human: " + comparison.prompt() + "\n\n"
                + comparison.principle().judge() + "\n\n"
                + "(" + FIRST + ") " + comparison.first() + "\n\n"
                + "(" + SECOND + ") " + comparison.second() + "\n\n"
                + "Answer with " + FIRST + " or " + SECOND + ".";
        return List.of(ChatMessage.user(question));
    }
}
