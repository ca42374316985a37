package org.jalign.eval;

import java.util.List;

/**
 * How often a policy beats the baseline on the same prompts: (wins + ties/2) / comparisons, with
 * the 95% Wilson interval of {@link Proportion} on that share.
 *
 * <p>The interval treats every comparison as independent. Comparisons of several samples of one
 * prompt are correlated, so with more than one sample per prompt it is somewhat too narrow; with
 * one sample per prompt (the default) it is the textbook interval.
 */
public record WinRate(int wins, int ties, int losses, Proportion share) {

    /** The win rate of a list of outcomes. */
    public static WinRate of(List<Outcome> outcomes) {
        int wins = 0;
        int ties = 0;
        int losses = 0;
        for (Outcome o : outcomes) {
            switch (o) {
                case WIN -> wins++;
                case TIE -> ties++;
                case LOSS -> losses++;
            }
        }
        return new WinRate(wins, ties, losses, Proportion.of(wins + 0.5 * ties, wins + ties + losses));
    }

    /** The win rate of paired scores: row i compares {@code policy[i]} with {@code baseline[i]}. */
    public static WinRate fromScores(double[] policy, double[] baseline, Direction direction) {
        if (policy.length != baseline.length) {
            throw new IllegalArgumentException(policy.length + " policy scores but " + baseline.length + " baseline scores");
        }
        Outcome[] outcomes = new Outcome[policy.length];
        for (int i = 0; i < policy.length; i++) {
            outcomes[i] = direction.compare(policy[i], baseline[i]);
        }
        return of(List.of(outcomes));
    }

    public double rate() {
        return share.rate();
    }

    public int comparisons() {
        return wins + ties + losses;
    }
}
