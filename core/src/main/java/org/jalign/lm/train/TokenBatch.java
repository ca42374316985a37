package org.jalign.lm.train;

import java.util.List;

/**
 * Token sequences to learn from, with the positions that count. {@code targets.get(r)[t]} is true
 * when token t of row r is predicted (from tokens 0..t−1) and enters the loss: every token after
 * the first when pretraining, only the completion's tokens in SFT. Rows may differ in length;
 * they are left-padded into one batch.
 */
public record TokenBatch(List<int[]> tokens, List<boolean[]> targets) {

    public TokenBatch {
        tokens = List.copyOf(tokens);
        targets = List.copyOf(targets);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        if (tokens.size() != targets.size()) {
            throw new IllegalArgumentException("a batch needs one target mask per sequence: " + tokens.size()
                    + " sequences, " + targets.size() + " masks");
        }
        for (int r = 0; r < tokens.size(); r++) {
            if (tokens.get(r).length < 2) {
                throw new IllegalArgumentException("sequence " + r + " has " + tokens.get(r).length
                        + " tokens; training needs at least 2");
            }
            if (targets.get(r).length != tokens.get(r).length) {
                throw new IllegalArgumentException("sequence " + r + " has " + tokens.get(r).length
                        + " tokens but a target mask of " + targets.get(r).length);
            }
            if (targets.get(r)[0]) {
                throw new IllegalArgumentException("sequence " + r + ": token 0 cannot be a target (nothing precedes it)");
            }
        }
    }

    /** Every token but the first is a target: language-model pretraining. */
    public static TokenBatch allTargets(List<int[]> sequences) {
        List<boolean[]> targets = new java.util.ArrayList<>();
        for (int[] s : sequences) {
            boolean[] t = new boolean[s.length];
            java.util.Arrays.fill(t, 1, s.length, true);
            targets.add(t);
        }
        return new TokenBatch(sequences, targets);
    }

    /** Number of target tokens. */
    public long targetCount() {
        long n = 0;
        for (boolean[] t : targets) {
            for (boolean b : t) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }

    /** Number of tokens, padding excluded. */
    public long tokenCount() {
        long n = 0;
        for (int[] s : tokens) {
            n += s.length;
        }
        return n;
    }
}
