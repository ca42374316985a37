package org.jalign.feedback;

/**
 * A judgement on the completion pair (first, second), first &lt; second.
 */
public record PairJudgement(int first, int second, PairOutcome outcome) {

    public PairJudgement {
        if (first < 0 || second <= first) {
            throw new IllegalArgumentException(
                    "a pair is two completion indices with 0 <= first < second, got (" + first + ", " + second + ")");
        }
        if (outcome == null) {
            throw new IllegalArgumentException("a pair judgement needs an outcome");
        }
    }
}
