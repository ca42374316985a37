package org.jalign.feedback;

/**
 * How many of the compared pairwise judgements agreed.
 *
 * @param agreeing how many judgements matched
 * @param compared how many were compared, ≥ agreeing
 */
public record AgreementCount(long agreeing, long compared) {

    public AgreementCount {
        if (agreeing < 0 || compared < agreeing) {
            throw new IllegalArgumentException("need 0 <= agreeing <= compared, got " + agreeing + " of " + compared);
        }
    }

    public static final AgreementCount NONE = new AgreementCount(0, 0);

    /** The fraction that agreed; NaN when nothing was compared. */
    public double rate() {
        return compared == 0 ? Double.NaN : (double) agreeing / compared;
    }

    public AgreementCount plus(AgreementCount other) {
        return new AgreementCount(agreeing + other.agreeing, compared + other.compared);
    }

    public AgreementCount plus(boolean agreed) {
        return new AgreementCount(agreeing + (agreed ? 1 : 0), compared + 1);
    }
}
