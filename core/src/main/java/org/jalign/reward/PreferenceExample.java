package org.jalign.reward;

import java.util.List;
import java.util.Objects;

/**
 * One line of preference data as text: a prompt, its completions and which is preferred to which
 * ({@link RewardLoss.Pair}s indexing {@code completions}). A pairs line has two completions
 * (chosen, rejected) and one pair; a ranked line K completions and their C(K,2) pairs less ties.
 *
 * @param source     the file as the user named it, so later failures still name it
 * @param lineNumber 1-based
 */
public record PreferenceExample(String prompt, List<String> completions, List<RewardLoss.Pair> pairs, String source,
                                int lineNumber) {
    public PreferenceExample {
        Objects.requireNonNull(prompt, "prompt");
        completions = List.copyOf(completions);
        pairs = List.copyOf(pairs);
        if (completions.size() < 2 || pairs.isEmpty()) {
            throw new IllegalArgumentException("a preference needs two completions and a pair, got "
                    + completions.size() + " and " + pairs.size());
        }
        for (RewardLoss.Pair p : pairs) {
            if (p.better() >= completions.size() || p.worse() >= completions.size()) {
                throw new IllegalArgumentException("pair " + p + " names a completion beyond the " + completions.size());
            }
        }
    }
}
