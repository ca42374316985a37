package org.jalign.data;

/**
 * A line of an input file that is not what a command expects. The message reads
 * {@code FILE line N: <what is wrong>; expected <what>} so a user can go straight to the line.
 *
 * <p>Unchecked: it reports bad user data, which no caller can recover from except by telling the
 * user, and it has to cross {@code Iterator}/{@code Stream} boundaries.
 */
public final class DataFormatException extends RuntimeException {

    private final String source;
    private final int lineNumber;

    /**
     * @param source     the file as the user named it ({@code <stdin>} for standard input)
     * @param lineNumber 1-based line number
     * @param problem    what is wrong, e.g. {@code field "prompt" is missing}
     * @param expected   what would have been right, e.g. {@code a string}
     */
    public DataFormatException(String source, int lineNumber, String problem, String expected) {
        super(source + " line " + lineNumber + ": " + problem + "; expected " + expected);
        this.source = source;
        this.lineNumber = lineNumber;
    }

    /** The file as the user named it, or {@code <stdin>}. */
    public String source() {
        return source;
    }

    /** The 1-based line number of the offending line. */
    public int lineNumber() {
        return lineNumber;
    }
}
