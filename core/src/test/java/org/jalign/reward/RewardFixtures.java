package org.jalign.reward;

import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny Llama with TinyTokenizer and a synthetic preference, for the learning and CLI tests. */
public final class RewardFixtures {
    private RewardFixtures() {
    }

    /** Words of the tiny vocabulary a completion is drawn from ("red" is the preferred one). */
    private static final List<String> WORDS = List.of("the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park",
            "and", "big", ".", ",", "!");

    /** Writes the tiny model with TinyTokenizer; returns its directory. */
    public static Path model(Path dir) throws Exception {
        Path model = TinyCheckpoints.write(dir.resolve("model"),
                TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS), TinyTokenizer.PAD), 7);
        TinyTokenizer.write(model);
        Files.writeString(model.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        return model;
    }

    /** {@code n} pairs lines: chosen = rejected with one word replaced by "red". */
    public static String pairs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = words(random, 2 + random.nextInt(3));
            String[] rejected = words(random, 3 + random.nextInt(4)).split(" ");
            String[] chosen = rejected.clone();
            chosen[random.nextInt(chosen.length)] = "red";
            out.append("{\"prompt\": \"").append(prompt).append("\", \"chosen\": \"").append(String.join(" ", chosen))
                    .append("\", \"rejected\": \"").append(String.join(" ", rejected)).append("\"}\n");
        }
        return out.toString();
    }

    private static String words(SplittableRandom random, int n) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add(WORDS.get(random.nextInt(WORDS.size())));
        }
        return String.join(" ", w);
    }


    /**
     * {@code n} ranked lines of three completions of equal length: the one with two "red" ranks 1,
     * one "red" ranks 2, none ranks 3 (shown in a random order).
     */
    public static String ranked(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = words(random, 2 + random.nextInt(3));
            String[] base = words(random, 4 + random.nextInt(3)).split(" ");
            String[] one = base.clone();
            one[random.nextInt(one.length)] = "red";
            String[] two = one.clone();
            int at;
            do {
                at = random.nextInt(two.length);
            } while (two[at].equals("red"));
            two[at] = "red";
            String[][] completions = {two, one, base};
            int[] ranks = {1, 2, 3};
            int[] order = {0, 1, 2};
            for (int k = 2; k > 0; k--) {
                int j = random.nextInt(k + 1);
                int t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
            out.append("{\"prompt\": \"").append(prompt).append("\", \"completions\": [");
            for (int k = 0; k < 3; k++) {
                out.append(k == 0 ? "" : ", ").append('"').append(String.join(" ", completions[order[k]])).append('"');
            }
            out.append("], \"ranks\": [").append(ranks[order[0]]).append(", ").append(ranks[order[1]]).append(", ")
                    .append(ranks[order[2]]).append("]}\n");
        }
        return out.toString();
    }
}
