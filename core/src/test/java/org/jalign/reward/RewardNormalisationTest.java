package org.jalign.reward;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RewardNormalisationTest {

    @Test
    void fitGivesMeanZeroAndStdOne() {
        // 1, 2, 3, 4: mean 2.5, population variance 1.25
        RewardNormalisation n = RewardNormalisation.fit(new double[] {1, 2, 3, 4});
        double std = Math.sqrt(1.25);
        assertThat(n.gain()).isCloseTo(1 / std, within(1e-15));
        assertThat(n.bias()).isCloseTo(-2.5 / std, within(1e-15));
        double[] mapped = {n.apply(1), n.apply(2), n.apply(3), n.apply(4)};
        assertThat(mapped[0] + mapped[1] + mapped[2] + mapped[3]).isCloseTo(0, within(1e-14));
        double squares = 0;
        for (double v : mapped) {
            squares += v * v;
        }
        assertThat(squares / 4).isCloseTo(1, within(1e-14));
        assertThat(n.apply(4)).isGreaterThan(n.apply(1));   // order kept: gain > 0
    }

    @Test
    void equalRewardsAreOnlyCentred() {
        RewardNormalisation n = RewardNormalisation.fit(new double[] {3, 3, 3});
        assertThat(n).isEqualTo(new RewardNormalisation(1, -3));
        assertThatThrownBy(() -> RewardNormalisation.fit(new double[0])).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new RewardNormalisation(0, 1)).hasMessageContaining("non-zero gain");
    }
}
