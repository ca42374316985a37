package org.jalign.reward;

import java.util.List;

/**
 * One training example in token ids: the sequences (prompt + completion) of one prompt and the
 * pairs among them ({@link RewardLoss.Pair} rows index {@code sequences}). All sequences go through
 * one forward pass, so a K-ranked prompt costs K sequences, not 2·C(K,2).
 */
record Comparison(List<int[]> sequences, List<RewardLoss.Pair> pairs) {
    Comparison {
        sequences = List.copyOf(sequences);
        pairs = List.copyOf(pairs);
    }
}
