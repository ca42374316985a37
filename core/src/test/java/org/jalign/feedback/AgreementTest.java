package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AgreementTest {

    private static Judgement judgement(String prompt, String labeler, Ranking ranking) {
        return new Judgement(prompt, labeler, Criterion.HELPFULNESS, ranking);
    }

    @Test
    void twoLabelersAgreeOnSharedPromptsAndPairsOnly() {
        Panel panel = Panel.of(
                judgement("p1", "ann", Ranking.of(1, 2, 3)),
                judgement("p1", "bob", Ranking.of(1, 3, 2)),          // agrees on (0,1), (0,2)
                judgement("p2", "ann", Ranking.of(1, 1, 2)),
                judgement("p2", "bob", Ranking.fromForm(Arrays.asList(1, 2, null), Set.of(2))), // (0,1) tie vs first
                judgement("p3", "ann", Ranking.of(2, 1)));            // bob did not judge p3

        // p1: 2 of 3; p2: (0,1) disagree, (0,2) first = first, (1,2) first = first → 2 of 3
        assertThat(Agreement.pairwise(panel, "ann", "bob", FlagPolicy.LOSES_TO_RANKED))
                .isEqualTo(new AgreementCount(4, 6));
        // dropping pairs with bob's flagged completion leaves p2's (0,1) only
        assertThat(Agreement.pairwise(panel, "ann", "bob", FlagPolicy.DROPPED))
                .isEqualTo(new AgreementCount(2, 4));
    }

    @Test
    void pooledAgreementCountsEveryTwoLabelers() {
        Panel panel = Panel.of(
                judgement("p1", "ann", Ranking.of(1, 2)),
                judgement("p1", "bob", Ranking.of(1, 2)),
                judgement("p1", "cat", Ranking.of(2, 1)));

        // labeler pairs (ann,bob) agree, (ann,cat) and (bob,cat) disagree
        assertThat(Agreement.pairwise(panel, FlagPolicy.LOSES_TO_RANKED)).isEqualTo(new AgreementCount(1, 3));
        assertThat(Agreement.pairwise(panel, FlagPolicy.LOSES_TO_RANKED).rate()).isCloseTo(1.0 / 3, within(1e-15));
    }

    @Test
    void rankAlphaIsOneWhenEveryoneRanksAlike() {
        Panel panel = Panel.of(
                judgement("p1", "ann", Ranking.of(1, 2, 3)),
                judgement("p1", "bob", Ranking.of(1, 2, 3)),
                judgement("p2", "ann", Ranking.of(3, 1, 2)),
                judgement("p2", "bob", Ranking.of(3, 1, 2)),
                judgement("p2", "cat", Ranking.of(3, 1, 2)));

        assertThat(Agreement.rankAlpha(panel)).isEqualTo(1.0);
        assertThat(Agreement.pairwiseAlpha(panel, FlagPolicy.LOSES_TO_RANKED)).isEqualTo(1.0);
    }
}
