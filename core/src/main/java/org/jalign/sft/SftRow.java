package org.jalign.sft;

import org.jalign.lm.train.TokenBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One training sequence: {@code tokens[t]} enters the loss (is predicted from tokens 0..t−1) when
 * {@code targets[t]}. Token 0 is never a target: nothing precedes it. Rows feed
 * {@link TokenBatch} directly ({@link #batch}).
 */
public record SftRow(int[] tokens, boolean[] targets) {

    public SftRow {
        if (tokens.length != targets.length) {
            throw new IllegalArgumentException("a row needs one target flag per token: " + tokens.length + " tokens, "
                    + targets.length + " flags");
        }
        if (targets.length > 0 && targets[0]) {
            throw new IllegalArgumentException("token 0 cannot be a target (nothing precedes it)");
        }
        tokens = tokens.clone();
        targets = targets.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean[] targets() {
        return targets.clone();
    }

    public int length() {
        return tokens.length;
    }

    public int targetCount() {
        int n = 0;
        for (boolean t : targets) {
            n += t ? 1 : 0;
        }
        return n;
    }

    /** The index of the first target, or -1. */
    public int firstTarget() {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * This row cut to at most {@code maxLength} tokens by removing the oldest prompt tokens (right
     * after a leading BOS, which stays), never a target: empty when that cannot be done, i.e. when
     * the targets and one token before them do not fit. Cutting from the left keeps the end of
     * the prompt, the part the reply depends on most; cutting the reply would teach a truncated
     * answer (TRL cuts from the right and loses it).
     *
     * @param bosId the BOS id kept in front, or -1
     */
    public Optional<SftRow> truncateLeft(int maxLength, int bosId) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        int remove = tokens.length - maxLength;
        if (remove <= 0) {
            return Optional.of(this);
        }
        int first = firstTarget();
        // keeping one token before the first target (BOS or a prompt token) lets it be predicted
        if (first < 0 || remove > first - 1) {
            return Optional.empty();
        }
        int keep = bosId >= 0 && tokens[0] == bosId ? 1 : 0;
        int[] t = new int[maxLength];
        boolean[] m = new boolean[maxLength];
        System.arraycopy(tokens, 0, t, 0, keep);
        System.arraycopy(tokens, keep + remove, t, keep, maxLength - keep);
        System.arraycopy(targets, keep + remove, m, keep, maxLength - keep);
        return Optional.of(new SftRow(t, m));
    }

    /** The rows as one batch for {@code CausalLmTrainer}. */
    public static TokenBatch batch(List<SftRow> rows) {
        List<int[]> tokens = new ArrayList<>();
        List<boolean[]> targets = new ArrayList<>();
        for (SftRow r : rows) {
            tokens.add(r.tokens);
            targets.add(r.targets);
        }
        return new TokenBatch(tokens, targets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SftRow r && Arrays.equals(tokens, r.tokens) && Arrays.equals(targets, r.targets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("SftRow[");
        for (int i = 0; i < tokens.length; i++) {
            s.append(i == 0 ? "" : " ").append(tokens[i]).append(targets[i] ? "*" : "");
        }
        return s.append(']').toString();
    }
}
