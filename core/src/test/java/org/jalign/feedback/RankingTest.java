package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RankingTest {

    @Test
    void fractionalRanksAverageTiesAndPutFlagsLast() {
        // ranks 1, 1, 3 → positions {1, 2} share 1.5; flagged completions share positions 4 and 5
        Ranking ranking = Ranking.fromForm(Arrays.asList(1, null, 3, 1, null), Set.of(1, 4));

        assertThat(ranking.fractionalRanks()).containsExactly(1.5, 4.5, 3.0, 1.5, 4.5);
        assertThat(ranking.rankedCount()).isEqualTo(3);
        assertThat(ranking.isFlagged(1)).isTrue();
        assertThat(ranking.rank(2)).isEqualTo(3);
    }

    @Test
    void gapsInRanksMeanTheSameOrder() {
        assertThat(Ranking.of(1, 1, 3).fractionalRanks()).containsExactly(Ranking.of(1, 1, 2).fractionalRanks());
    }

    @Test
    void pairwiseViewOfTiesAndFlags() {
        // completions: 0 rank 2, 1 rank 1, 2 rank 2, 3 flagged, 4 flagged
        Ranking ranking = new Ranking(List.of(Placement.rank(2), Placement.rank(1), Placement.rank(2),
                Placement.flag(), Placement.flag()));

        assertThat(PairwiseView.of(ranking, FlagPolicy.LOSES_TO_RANKED)).containsExactly(
                new PairJudgement(0, 1, PairOutcome.SECOND_PREFERRED),
                new PairJudgement(0, 2, PairOutcome.TIE),
                new PairJudgement(0, 3, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(0, 4, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(1, 2, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(1, 3, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(1, 4, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(2, 3, PairOutcome.FIRST_PREFERRED),
                new PairJudgement(2, 4, PairOutcome.FIRST_PREFERRED));
        // (3, 4): both flagged, no judgement
        assertThat(PairwiseView.of(ranking, FlagPolicy.DROPPED)).containsExactly(
                new PairJudgement(0, 1, PairOutcome.SECOND_PREFERRED),
                new PairJudgement(0, 2, PairOutcome.TIE),
                new PairJudgement(1, 2, PairOutcome.FIRST_PREFERRED));
    }

    @Test
    void rankOutOfRangeIsNamed() {
        assertThatThrownBy(() -> Ranking.of(1, 2, 4))
                .hasMessage("completion 2 has rank 4 but a ranking of 3 completions has ranks 1 (best) to 3");
        assertThatThrownBy(() -> Ranking.of(0, 1))
                .hasMessageContaining("completion 0 has rank 0");
        assertThatThrownBy(() -> Ranking.fromForm(Arrays.asList(1, 5, null), Set.of(2)))
                .hasMessage("completion 1 has rank 5 but a ranking of 3 completions has ranks 1 (best) to 3");
    }

    @Test
    void completionBothRankedAndFlaggedIsRejected() {
        assertThatThrownBy(() -> Ranking.fromForm(List.of(1, 2, 3), Set.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("completion 1 is both ranked (rank 2) and flagged; a flagged completion carries no rank, "
                        + "so submit one or the other");
    }

    @Test
    void completionNeitherRankedNorFlaggedOrUnknownFlagIsRejected() {
        assertThatThrownBy(() -> Ranking.fromForm(Arrays.asList(1, null), Set.of()))
                .hasMessageContaining("completion 1 is neither ranked nor flagged");
        assertThatThrownBy(() -> Ranking.fromForm(List.of(1, 2), Set.of(2)))
                .hasMessage("flagged completion 2 does not exist; completions are numbered 0 to 1");
    }

    @Test
    void tooFewCompletionsIsRejected() {
        assertThatThrownBy(() -> Ranking.of(1)).hasMessage("a ranking needs at least 2 completions, got 1");
    }

    @Test
    void judgementNeedsIds() {
        assertThatThrownBy(() -> new Judgement(" ", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2)))
                .hasMessageContaining("judgement.promptId must be a non-blank id");
        assertThatThrownBy(() -> new Judgement("p1", null, Criterion.HELPFULNESS, Ranking.of(1, 2)))
                .hasMessageContaining("judgement.labelerId must be a non-blank id, got null");
    }

    @Test
    void panelRejectsDuplicateLabelerOnAPrompt() {
        Judgement first = new Judgement("p1", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2));
        Judgement again = new Judgement("p1", "ann", Criterion.HELPFULNESS, Ranking.of(2, 1));

        assertThatThrownBy(() -> Panel.of(first, again))
                .hasMessage("labeler ann judged prompt p1 more than once; keep one judgement per (prompt, labeler)");
    }

    @Test
    void panelRejectsMixedCriteriaAndMismatchedCompletionCounts() {
        assertThatThrownBy(() -> Panel.of(
                new Judgement("p1", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2)),
                new Judgement("p1", "bob", Criterion.HARMLESSNESS, Ranking.of(1, 2))))
                .hasMessageContaining("judgements mix criteria [HELPFULNESS, HARMLESSNESS]");
        assertThatThrownBy(() -> Panel.of(
                new Judgement("p1", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2)),
                new Judgement("p1", "bob", Criterion.HELPFULNESS, Ranking.of(1, 2, 3))))
                .hasMessageContaining("prompt p1 has rankings of 2 and of 3 completions (labeler bob)");
    }
}
