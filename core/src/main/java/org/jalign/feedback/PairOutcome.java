package org.jalign.feedback;

/**
 * One judgement on an unordered pair of completions (first &lt; second by index): the nominal
 * values "left", "right", "tie" of Krippendorff's α on pairwise judgements.
 */
public enum PairOutcome {
    FIRST_PREFERRED,
    SECOND_PREFERRED,
    TIE;

    /** The same judgement seen from the other side of the pair. */
    public PairOutcome swapped() {
        return switch (this) {
            case FIRST_PREFERRED -> SECOND_PREFERRED;
            case SECOND_PREFERRED -> FIRST_PREFERRED;
            case TIE -> TIE;
        };
    }
}
