package org.jalign.eval;

/** Which way a score is better: a reward model's up, a toxicity probability's down. */
public enum Direction {
    HIGHER_IS_BETTER, LOWER_IS_BETTER;

    /** The policy's outcome when it scores {@code policy} and the baseline {@code baseline}. */
    public Outcome compare(double policy, double baseline) {
        int c = Double.compare(policy, baseline);
        if (c == 0 || Double.isNaN(policy) || Double.isNaN(baseline)) {
            return Outcome.TIE;
        }
        boolean policyHigher = c > 0;
        return policyHigher == (this == HIGHER_IS_BETTER) ? Outcome.WIN : Outcome.LOSS;
    }
}
