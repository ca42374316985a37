package org.jalign.feedback;

/**
 * How {@link Consensus} turns several labelers' rankings of one prompt into one.
 */
public sealed interface ConsensusMethod {

    /** Mean fractional rank ({@link BordaCount}); ties share points. Simple, and ties where the panel splits evenly. */
    record Borda() implements ConsensusMethod {
    }

    /**
     * Bradley–Terry strengths fitted by MM ({@link BradleyTerryFit}).
     *
     * @param priorTiesPerPair pseudo-comparisons added to every pair as a tie (half a win each
     *                         way), ≥ 0, so a completion that always wins or always loses still
     *                         gets a finite strength; 0 fits the plain maximum-likelihood point,
     *                         which then must exist (Ford's condition)
     */
    record BradleyTerry(double priorTiesPerPair) implements ConsensusMethod {
        /** 0.1 of a tie per pair: against 3 to 5 labelers per prompt it moves a probability by ~1%. */
        public static final double DEFAULT_PRIOR_TIES_PER_PAIR = 0.1;

        public BradleyTerry {
            if (!(priorTiesPerPair >= 0) || Double.isInfinite(priorTiesPerPair)) {
                throw new IllegalArgumentException(
                        "bradleyTerry.priorTiesPerPair must be a finite number >= 0 (0 = plain maximum likelihood), got "
                                + priorTiesPerPair);
            }
        }

        public BradleyTerry() {
            this(DEFAULT_PRIOR_TIES_PER_PAIR);
        }
    }

    /** The order with the fewest pairwise disagreements with the labelers ({@link KemenyYoung}); N ≤ 8. */
    record Kemeny() implements ConsensusMethod {
    }
}
