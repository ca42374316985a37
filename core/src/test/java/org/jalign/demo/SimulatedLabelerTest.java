package org.jalign.demo;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The panel's labelers against rankings worked out by hand from the criterion. */
class SimulatedLabelerTest {

    private static final List<String> REPLIES = List.of(
            "no . my cat is your problem , you idiot .",                               // −3 + 1 = −2
            "sure ! take notes on my cat . hope this helps , have a nice day .",        // 0 + 1 + 1 = 2
            "of course . take notes on running . good luck !",                          // 0 + 0 + 1 = 1
            "happy to help . read a short guide on my cat . good luck !",               // 2, ties with the second
            "sure ! take notes on");                                                    // cut off: nonsense

    @Test
    void aCarefulLabelerRanksByTheCriterionWithTiesAndFlagsNonsense() {
        SimulatedLabeler careful = new SimulatedLabeler("careful-1", true, 0);
        int[] ranks = careful.rank(REPLIES, "my cat", new Random(1));
        // scores −2, 2, 1, 2 → dense ranks from the top: 3, 1, 2, 1; the last one flagged
        assertThat(ranks).containsExactly(3, 1, 2, 1, SimulatedLabeler.FLAGGED);
    }

    @Test
    void aCarelessLabelerGivesARandomPermutationAndNeverFlags() {
        SimulatedLabeler careless = new SimulatedLabeler("careless", false, 0);
        boolean[] seenFirst = new boolean[REPLIES.size()];
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int[] ranks = careless.rank(REPLIES, "my cat", random);
            int[] sorted = ranks.clone();
            Arrays.sort(sorted);
            assertThat(sorted).containsExactly(1, 2, 3, 4, 5);
            for (int i = 0; i < ranks.length; i++) {
                seenFirst[i] |= ranks[i] == 1;
            }
        }
        assertThat(seenFirst).as("every reply is ranked first sometimes").containsOnly(true);
    }

    @Test
    void slipsMisjudgeAboutTheGivenShareOfCompletions() {
        // two replies scoring 2 and 1; each slips with probability s, by −1 or +1 with probability ½ each.
        // The order breaks (a tie or a swap) when 1 + da − db ≤ 0: a down and b still [s/2 · (1 − s)],
        // a still and b up [(1 − s) · s/2], a down and b up [s/2 · s/2]; both down or both up keep the gap.
        double s = 0.3;
        double expected = s * (1 - s) + s * s / 4;
        SimulatedLabeler careful = new SimulatedLabeler("careful-1", true, s);
        List<String> two = List.of(REPLIES.get(1), REPLIES.get(2));
        Random random = new Random(11);
        int trials = 20_000;
        int changed = 0;
        for (int t = 0; t < trials; t++) {
            int[] ranks = careful.rank(two, "my cat", random);
            if (!(ranks[0] == 1 && ranks[1] == 2)) {
                changed++;
            }
        }
        double sd = Math.sqrt(expected * (1 - expected) / trials);
        assertThat((double) changed / trials).isCloseTo(expected, org.assertj.core.api.Assertions.within(4 * sd));
    }

    @Test
    void thePanelHasTheCarefulLabelersAndOneCareless() {
        List<SimulatedLabeler> panel = SimulatedLabeler.panel(3, 0.1);
        assertThat(panel).extracting(SimulatedLabeler::name).containsExactly("careful-1", "careful-2", "careful-3",
                "careless");
        assertThat(panel).filteredOn(l -> !l.careful()).hasSize(1);
        assertThatThrownBy(() -> new SimulatedLabeler("x", true, 1.5)).hasMessageContaining("slipRate");
    }
}
