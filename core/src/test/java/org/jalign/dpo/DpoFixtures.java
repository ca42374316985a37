package org.jalign.dpo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Synthetic preference data for the tiny TinyTokenizer Llama of {@code RewardFixtures.model}. */
final class DpoFixtures {
    private DpoFixtures() {
    }

    private static final List<String> WORDS = List.of("the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park",
            "and", "big", "red", ".", ",", "!");

    /** {@code n} pairs lines: chosen = rejected with one word (not {@code preferred}) replaced by {@code preferred}. */
    static String pairs(int n, long seed, String preferred) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = words(random, 2 + random.nextInt(3), preferred);
            String[] rejected = words(random, 3 + random.nextInt(4), preferred).split(" ");
            String[] chosen = rejected.clone();
            chosen[random.nextInt(chosen.length)] = preferred;
            out.append("{\"prompt\": \"").append(prompt).append("\", \"chosen\": \"").append(String.join(" ", chosen))
                    .append("\", \"rejected\": \"").append(String.join(" ", rejected)).append("\"}\n");
        }
        return out.toString();
    }

    private static String words(SplittableRandom random, int n, String excluded) {
        List<String> w = new ArrayList<>();
        while (w.size() < n) {
            String word = WORDS.get(random.nextInt(WORDS.size()));
            if (!word.equals(excluded)) {
                w.add(word);
            }
        }
        return String.join(" ", w);
    }
}
