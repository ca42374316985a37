package org.jalign.eval;

/** One comparison of a policy's completion with the baseline's, from the policy's side. */
public enum Outcome {
    WIN(1.0), TIE(0.5), LOSS(0.0);

    private final double credit;

    Outcome(double credit) {
        this.credit = credit;
    }

    /** What the comparison adds to the win count: a tie is half a win (AlpacaEval, Chatbot Arena). */
    public double credit() {
        return credit;
    }
}
