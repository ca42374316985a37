package org.jalign.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The pure statistics against values worked by hand or published tables. */
class EvalMathTest {

    @Test
    void standardErrorIsTheSampleStandardDeviationOverRootN() {
        // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, s² = 5/3, s.e. = √(5/3 / 4) = √(5/12)
        Estimate e = Estimate.of(new double[] {1, 2, 3, 4});
        assertThat(e.mean()).isEqualTo(2.5);
        assertThat(e.standardError()).isCloseTo(Math.sqrt(5.0 / 12), within(1e-15));
        assertThat(e.count()).isEqualTo(4);
        assertThat(e.lower95()).isCloseTo(2.5 - 1.959963984540054 * Math.sqrt(5.0 / 12), within(1e-12));
        // one value: a mean but no spread; none: nothing
        assertThat(Estimate.of(new double[] {7}).standardError()).isNaN();
        assertThat(Estimate.of(new double[] {}).mean()).isNaN();
        // a constant large offset does not spoil the variance (two-pass)
        assertThat(Estimate.of(new double[] {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4}).standardError())
                .isCloseTo(Math.sqrt(5.0 / 12), within(1e-6));
    }

    @Test
    void wilsonIntervalMatchesPublishedValues() {
        // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (Wilson score):
        // 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605; 0/20 -> 0-0.1611; 1/29 -> 0.0061-0.1718
        double[][] newcombe = {{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0, 0.1611}, {1, 29, 0.0061, 0.1718}};
        for (double[] row : newcombe) {
            Proportion p = Proportion.of(row[0], (int) row[1]);
            assertThat(p.lower95()).as("%s/%s lower", row[0], row[1]).isCloseTo(row[2], within(6e-5));
            assertThat(p.upper95()).as("%s/%s upper", row[0], row[1]).isCloseTo(row[3], within(6e-5));
        }
        // as R's prop.test(x, n, correct = FALSE) gives it: 7/10 -> [0.3968, 0.8922]; 0/10 -> [0, 0.2775]
        Proportion seven = Proportion.of(7, 10);
        assertThat(seven.rate()).isEqualTo(0.7);
        assertThat(seven.lower95()).isCloseTo(0.3968, within(1e-4));
        assertThat(seven.upper95()).isCloseTo(0.8922, within(1e-4));
        Proportion none = Proportion.of(0, 10);
        assertThat(none.lower95()).isEqualTo(0.0);
        assertThat(none.upper95()).isCloseTo(0.2775, within(1e-4));
        // by hand for 0/n: centre = half-width = (z²/2n)/(1 + z²/n), so upper = z²/n / (1 + z²/n)
        double z2 = 1.959963984540054 * 1.959963984540054;
        assertThat(none.upper95()).isCloseTo((z2 / 10) / (1 + z2 / 10), within(1e-12));
        Proportion all = Proportion.of(10, 10);
        assertThat(all.upper95()).isEqualTo(1.0);
        assertThat(all.lower95()).isCloseTo(1 - (z2 / 10) / (1 + z2 / 10), within(1e-12));
        assertThat(Proportion.of(0, 0).rate()).isNaN();
        assertThatThrownBy(() -> Proportion.of(3, 2)).hasMessageContaining("successes <= trials");
    }

    @Test
    void winRateCountsTiesAsHalfAndFollowsTheDirection() {
        double[] policy = {3, 1, 2, 2, 5};
        double[] baseline = {1, 1, 3, 2, 4};
        // higher is better: W T L T W -> 2 wins, 2 ties, 1 loss, (2 + 2/2) / 5 = 0.6; Wilson for p = 0.6, n = 5 by hand:
        // centre (0.6 + z²/10)/(1 + z²/5) = 0.55655, half-width z·√(0.24/5 + z²/100)/(1 + z²/5) = 0.32583 -> [0.2307, 0.8824]
        WinRate up = WinRate.fromScores(policy, baseline, Direction.HIGHER_IS_BETTER);
        assertThat(List.of(up.wins(), up.ties(), up.losses())).containsExactly(2, 2, 1);
        assertThat(up.rate()).isEqualTo(0.6);
        assertThat(up.share().lower95()).isCloseTo(0.2307, within(1e-4));
        assertThat(up.share().upper95()).isCloseTo(0.8824, within(1e-4));
        // lower is better (toxicity): the wins and losses swap, ties stay: (1 + 1) / 5 = 0.4
        WinRate down = WinRate.fromScores(policy, baseline, Direction.LOWER_IS_BETTER);
        assertThat(List.of(down.wins(), down.ties(), down.losses())).containsExactly(1, 2, 2);
        assertThat(down.rate()).isEqualTo(0.4);
        // a judge's outcomes directly
        WinRate judged = WinRate.of(List.of(Outcome.WIN, Outcome.WIN, Outcome.WIN, Outcome.TIE));
        assertThat(judged.rate()).isEqualTo(3.5 / 4);
        assertThatThrownBy(() -> WinRate.fromScores(new double[2], new double[3], Direction.HIGHER_IS_BETTER))
                .hasMessageContaining("2 policy scores but 3 baseline scores");
    }

    @Test
    void distinctNCountsUniqueNGramsOverAllNGrams() {
        // unigrams 1 2 1 | 2 3: {1, 2, 3} of 5; bigrams (1,2) (2,1) | (2,3): 3 of 3
        List<int[]> completions = List.of(new int[] {1, 2, 1}, new int[] {2, 3});
        assertThat(Diversity.distinct(completions, 1)).isEqualTo(3.0 / 5);
        assertThat(Diversity.distinct(completions, 2)).isEqualTo(1.0);
        // a collapsed policy: 4 4 4 4 -> 1 of 4 unigrams, 1 of 3 bigrams
        assertThat(Diversity.distinct(List.of(new int[] {4, 4, 4, 4}), 1)).isEqualTo(0.25);
        assertThat(Diversity.distinct(List.of(new int[] {4, 4, 4, 4}), 2)).isEqualTo(1.0 / 3);
        // no bigram in one-token completions
        assertThat(Diversity.distinct(List.of(new int[] {4}, new int[] {5}), 2)).isNaN();
    }

    @Test
    void klEstimatorsOfOneCompletionByHand() {
        float[] policy = {-1f, -2f};
        float[] reference = {-1.5f, -1f};
        // k1 = (−1 − −1.5) + (−2 − −1) = 0.5 − 1 = −0.5
        assertThat(KlEstimate.k1(policy, reference)).isEqualTo(-0.5);
        // log r = −0.5 and 1: (e^−0.5 − 1 + 0.5) + (e^1 − 1 − 1) = 0.1065307 + 0.7182818
        assertThat(KlEstimate.k3(policy, reference)).isCloseTo(Math.exp(-0.5) - 0.5 + Math.E - 2, within(1e-12));
        assertThat(KlEstimate.k3(policy, policy)).isEqualTo(0.0);
        assertThatThrownBy(() -> KlEstimate.k1(new float[2], new float[1])).hasMessageContaining("2 policy log-probs but 1");
    }

    @Test
    void htmlEscapingLeavesNoMarkup() {
        assertThat(Html.escape("<script>alert('x' & \"y\")</script>"))
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
        assertThat(Html.escape("a\u0001b\nc")).isEqualTo("a\uFFFDb\nc");
        assertThat(ReportMarkdown.cell("a|b\n<i>")).isEqualTo("a\\|b<br>&lt;i&gt;");
        assertThat(ReportMarkdown.cell("# it's")).isEqualTo("\\# it&#39;s");
    }
}
