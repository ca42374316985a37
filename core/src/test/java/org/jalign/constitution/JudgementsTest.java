package org.jalign.constitution;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The label arithmetic against values worked by hand, and the principle draws' properties. */
class JudgementsTest {

    @Test
    void answerProbabilityIsTheSoftmaxOverTheTwoAnswers() {
        // e^a / (e^a + e^b) with a − b = ln 3 is 3/4; equal logits give 1/2
        assertThat(Judgements.firstAnswerProbability(Math.log(3) + 7, 7)).isCloseTo(0.75, within(1e-15));
        assertThat(Judgements.firstAnswerProbability(-2, -2)).isEqualTo(0.5);
        assertThat(Judgements.firstAnswerProbability(0, Math.log(4))).isCloseTo(0.2, within(1e-15));
        // far apart: no overflow, no NaN
        assertThat(Judgements.firstAnswerProbability(1000, -1000)).isEqualTo(1.0);
        assertThat(Judgements.firstAnswerProbability(-1000, 1000)).isEqualTo(0.0);
    }

    @Test
    void bothOrdersCancelAPositionBias() {
        // a judge that adds 0.2 to whichever option it sees first, on a true preference of 0.6:
        // shown (x, y) it says 0.8, shown (y, x) it says 0.4 + 0.2 = 0.6 → ½(0.8 + 1 − 0.6) = 0.6
        assertThat(Judgements.orderDebiased(0.8, 0.6)).isCloseTo(0.6, within(1e-15));
        // antisymmetric: P(x ≻ y) + P(y ≻ x) = 1 for any pair of answers
        double[] values = {0, 0.1, 0.37, 0.5, 0.93, 1};
        for (double a : values) {
            for (double b : values) {
                assertThat(Judgements.orderDebiased(a, b) + Judgements.orderDebiased(b, a)).isCloseTo(1.0, within(1e-15));
            }
        }
        assertThatThrownBy(() -> Judgements.orderDebiased(1.2, 0.5)).hasMessageContaining("[0, 1], got 1.2");
    }

    @Test
    void marginIsTheLogOddsAndConfidenceIsTheDistanceFromOneHalf() {
        assertThat(Judgements.logOdds(0.75)).isCloseTo(Math.log(3), within(1e-15));
        assertThat(Judgements.logOdds(0.5)).isEqualTo(0.0);
        assertThat(Judgements.mean(new double[] {0.9, 0.6, 0.3})).isCloseTo(0.6, within(1e-15));
        assertThat(Judgements.confident(0.62, 0.1)).isTrue();
        assertThat(Judgements.confident(0.41, 0.1)).isFalse();
        assertThat(Judgements.confident(0.35, 0.1)).isTrue();
    }

    @Test
    void revisionDrawsAreReproducibleSeededAndUniform() {
        assertThat(PrincipleDraws.forRevision(7, 3, 4, 5)).containsExactly(PrincipleDraws.forRevision(7, 3, 4, 5));
        // a longer run extends a shorter one: round r's principle does not depend on how many rounds follow
        assertThat(Arrays.copyOf(PrincipleDraws.forRevision(7, 3, 6, 5), 4)).containsExactly(PrincipleDraws.forRevision(7, 3, 4, 5));
        int differentSeed = 0;
        int differentPrompt = 0;
        int[] counts = new int[5];
        for (int p = 0; p < 2000; p++) {
            int[] a = PrincipleDraws.forRevision(7, p, 3, 5);
            differentSeed += Arrays.equals(a, PrincipleDraws.forRevision(8, p, 3, 5)) ? 0 : 1;
            differentPrompt += Arrays.equals(a, PrincipleDraws.forRevision(7, p + 1, 3, 5)) ? 0 : 1;
            for (int d : a) {
                counts[d]++;
            }
        }
        // equal by chance with probability 1/125 each
        assertThat(differentSeed).isGreaterThan(1900);
        assertThat(differentPrompt).isGreaterThan(1900);
        // 6000 uniform draws over 5: each count 1200 ± 4.5 σ (σ = √(6000·0.2·0.8) ≈ 31)
        for (int c : counts) {
            assertThat(c).isBetween(1060, 1340);
        }
    }

    @Test
    void pairDrawsAreDistinctAndTheSameInBothOrders() {
        int[] counts = new int[6];
        for (int item = 0; item < 500; item++) {
            int[] drawn = PrincipleDraws.forPair(3, item, 1, 4, 3, 6);
            assertThat(drawn).containsExactly(PrincipleDraws.forPair(3, item, 4, 1, 3, 6));
            Set<Integer> distinct = new HashSet<>();
            for (int d : drawn) {
                distinct.add(d);
                counts[d]++;
            }
            assertThat(distinct).hasSize(3);
        }
        // every principle is drawn half the time (3 of 6): 250 ± 5σ (σ ≈ 11)
        for (int c : counts) {
            assertThat(c).isBetween(195, 305);
        }
        assertThat(PrincipleDraws.forPair(3, 0, 0, 1, 6, 6)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThatThrownBy(() -> PrincipleDraws.forPair(3, 0, 0, 1, 7, 6)).hasMessageContaining("[1, 6]");
    }
}
