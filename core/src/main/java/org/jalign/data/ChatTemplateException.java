package org.jalign.data;

/**
 * A chat template that cannot be parsed (unsupported or malformed syntax) or that failed while
 * rendering ({@code raise_exception(...)}, a type error). The message names the construct and the
 * character offset in the template source, so a user can find it in tokenizer_config.json.
 *
 * <p>Unchecked for the same reason as {@link DataFormatException}: a bad template is bad input
 * that no caller can repair, only report.
 */
public final class ChatTemplateException extends RuntimeException {

    private final int offset;

    /**
     * @param offset 0-based character offset in the template source where the problem is
     * @param problem what is wrong, e.g. {@code unsupported statement 'macro'}
     */
    public ChatTemplateException(int offset, String problem) {
        super("chat template, offset " + offset + ": " + problem);
        this.offset = offset;
    }

    /** A problem with the template as a whole (no single place in its source to point at). */
    public ChatTemplateException(String problem) {
        super("chat template: " + problem);
        this.offset = -1;
    }

    /** 0-based character offset in the template source, or -1 when the problem has no single place. */
    public int offset() {
        return offset;
    }
}
