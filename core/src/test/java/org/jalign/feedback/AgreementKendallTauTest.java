package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AgreementKendallTauTest {

    @Test
    void scipyDocumentedExampleWithTiesInBoth() {
        // scipy.stats.kendalltau docs: x = [12, 2, 1, 12, 2], y = [1, 4, 7, 1, 0] → τ_b = −0.47140452079103173.
        // By hand, the 10 pairs (i, j):
        //   concordant (2): (0,4) x↓ y↓, (3,4) x↓ y↓
        //   discordant (6): (0,1) (0,2) (1,2) (1,3) (2,3) (2,4)
        //   tied: (0,3) in x and y, (1,4) in x only
        //   n_0 = 10, n_1 = 2 (the 12s, the 2s), n_2 = 1 (the 1s)
        //   τ_b = (2 − 6) / √((10 − 2)(10 − 1)) = −4 / √72 = −0.4714045207910317
        double tau = KendallTau.tauB(new double[] {12, 2, 1, 12, 2}, new double[] {1, 4, 7, 1, 0});

        assertThat(tau).isCloseTo(-0.47140452079103173, within(1e-15));
        assertThat(tau).isCloseTo(-4 / Math.sqrt(72), within(1e-15));
    }

    @Test
    void oneAdjacentSwapOfFour() {
        // 6 pairs, one discordant ((1,2)), no ties: (5 − 1)/6 = 2/3
        assertThat(KendallTau.tauB(Ranking.of(1, 2, 3, 4), Ranking.of(1, 3, 2, 4))).isCloseTo(2.0 / 3, within(1e-15));
    }

    @Test
    void tiesInEachRanking() {
        // x = 1,1,2,3  y = 1,2,2,3: pairs (0,1) tied in x, (1,2) tied in y, the other 4 concordant
        // τ_b = 4 / √((6 − 1)(6 − 1)) = 0.8 (scipy agrees)
        assertThat(KendallTau.tauB(Ranking.of(1, 1, 2, 3), Ranking.of(1, 2, 2, 3))).isCloseTo(0.8, within(1e-15));
    }

    @Test
    void perfectAndReversedAndUndefined() {
        assertThat(KendallTau.tauB(Ranking.of(3, 1, 2), Ranking.of(3, 1, 2))).isEqualTo(1.0);
        assertThat(KendallTau.tauB(Ranking.of(1, 2, 3), Ranking.of(3, 2, 1))).isEqualTo(-1.0);
        assertThat(KendallTau.tauB(Ranking.of(1, 1, 1), Ranking.of(1, 2, 3))).isNaN();
    }

    @Test
    void flaggedCompletionsAreLeftOut() {
        // completion 1 flagged by x: τ_b over completions 0, 2, 3 only, ordered the same way → 1
        Ranking x = Ranking.fromForm(Arrays.asList(1, null, 2, 3), Set.of(1));
        Ranking y = Ranking.of(2, 1, 3, 4);

        assertThat(KendallTau.tauB(x, y)).isEqualTo(1.0);
    }
}
