package org.jalign.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** The seeded orders and splits every training stage draws its data in. */
public final class Shuffling {
    private Shuffling() {
    }

    /** 0..n−1 in a Fisher–Yates order drawn from {@code random}. */
    public static int[] permutation(int n, RandomGenerator random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * Holds out about {@code evalFraction} of the distinct keys (at least one when the fraction is
     * positive and there are two or more keys, never all), with every item that has a held-out
     * key: preference data repeats a prompt on many lines, and splitting by line would show the
     * eval prompts in training. Keys are shuffled by {@link #permutation} with
     * {@code java.util.Random(seed)}.
     *
     * @return [train, eval], each in the items' order
     */
    public static <T> List<List<T>> splitByKey(List<T> items, Function<T, String> key, double evalFraction,
                                               long seed) {
        Map<String, Integer> keyIndex = new LinkedHashMap<>();
        for (T item : items) {
            keyIndex.putIfAbsent(key.apply(item), keyIndex.size());
        }
        int n = keyIndex.size();
        int evalCount = (int) Math.round(evalFraction * n);
        if (evalFraction > 0 && n >= 2) {
            evalCount = Math.max(1, evalCount);
        }
        evalCount = Math.min(evalCount, Math.max(0, n - 1));
        int[] order = permutation(n, new Random(seed));
        boolean[] isEval = new boolean[n];
        for (int k = 0; k < evalCount; k++) {
            isEval[order[k]] = true;
        }
        List<T> train = new ArrayList<>();
        List<T> eval = new ArrayList<>();
        for (T item : items) {
            (isEval[keyIndex.get(key.apply(item))] ? eval : train).add(item);
        }
        return List.of(train, eval);
    }
}
