package org.jalign.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A labeler of the demo's panel. A careful one ranks by {@link DemoWorld#criterionScore} (equal
 * scores tie, as the guide allows), flags nonsense instead of ranking it, and slips now and then:
 * with probability {@code slipRate} per completion its score is misjudged by one point either way.
 * A careless one ranks at random and never flags: the agreement report should find it.
 *
 * @param name     the labeler's name in the feedback store
 * @param careful  false for the careless labeler
 * @param slipRate per-completion chance of a one-point misjudgement, in [0, 1]
 */
public record SimulatedLabeler(String name, boolean careful, double slipRate) {

    /** In {@link #rank}'s result: this completion is flagged as nonsense, not ranked. */
    public static final int FLAGGED = 0;

    public SimulatedLabeler {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a simulated labeler needs a name");
        }
        if (!(slipRate >= 0 && slipRate <= 1)) {
            throw new IllegalArgumentException("slipRate must be in [0, 1], got " + slipRate);
        }
    }

    /** The demo's panel: {@code careful} careful labelers and one careless one. */
    public static List<SimulatedLabeler> panel(int careful, double slipRate) {
        List<SimulatedLabeler> panel = new ArrayList<>();
        for (int i = 1; i <= careful; i++) {
            panel.add(new SimulatedLabeler("careful-" + i, true, slipRate));
        }
        panel.add(new SimulatedLabeler("careless", false, 0));
        return List.copyOf(panel);
    }

    /**
     * This labeler's judgement of one prompt's completions, in their order: a rank per completion
     * (1 = best, equal ranks tie, dense) or {@link #FLAGGED}.
     */
    public int[] rank(List<String> completions, String topic, Random random) {
        int n = completions.size();
        int[] ranks = new int[n];
        if (!careful) {
            List<Integer> order = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            for (int i = 0; i < n; i++) {
                ranks[i] = order.get(i);
            }
            return ranks;
        }
        Integer[] scores = new Integer[n];
        for (int i = 0; i < n; i++) {
            String completion = completions.get(i);
            if (DemoWorld.isNonsense(completion)) {
                continue;   // flagged: stays null
            }
            int score = DemoWorld.criterionScore(completion, topic);
            if (random.nextDouble() < slipRate) {
                score += random.nextBoolean() ? 1 : -1;
            }
            scores[i] = score;
        }
        int[] distinct = Arrays.stream(scores).filter(s -> s != null).mapToInt(Integer::intValue).distinct()
                .sorted().toArray();
        for (int i = 0; i < n; i++) {
            if (scores[i] == null) {
                ranks[i] = FLAGGED;
            } else {
                // dense rank from the top: the best distinct score is rank 1
                ranks[i] = distinct.length - Arrays.binarySearch(distinct, scores[i]);
            }
        }
        return ranks;
    }
}
