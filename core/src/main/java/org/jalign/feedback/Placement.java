package org.jalign.feedback;

/**
 * Where one completion landed in one labeler's {@link Ranking}: a rank, or a flag that says the
 * completion is nonsensical or cannot be ranked. A flagged completion carries no rank, so "both
 * ranked and flagged" cannot be represented (the form-shaped factory
 * {@link Ranking#fromForm} rejects it with a message).
 */
public sealed interface Placement {

    /** A rank, 1 = best; equal ranks within one ranking are ties. */
    record Rank(int value) implements Placement {
        public Rank {
            if (value < 1) {
                throw new IllegalArgumentException("a rank is 1 (best) or more, got " + value);
            }
        }
    }

    /** Nonsensical or unrankable: below every ranked completion, not comparable to other flagged ones. */
    record Flag() implements Placement {
    }

    static Placement rank(int value) {
        return new Rank(value);
    }

    static Placement flag() {
        return new Flag();
    }
}
