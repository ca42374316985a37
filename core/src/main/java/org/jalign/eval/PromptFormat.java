package org.jalign.eval;

/** How a text prompt becomes the ids every policy continues. */
public enum PromptFormat {
    /** The model's own chat template when it has one (as sft, reward and dpo render), else {@link #PLAIN}. */
    AUTO,
    /** The prompt as the user turn of the chat template, plus the generation prompt; the fallback template without one. */
    CHAT,
    /** BOS + the prompt's tokens, as {@code generate} and {@code ppo} encode a text prompt. */
    PLAIN
}
