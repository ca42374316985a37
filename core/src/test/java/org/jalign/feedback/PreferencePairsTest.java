package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreferencePairsTest {

    @Test
    void fourCompletionsWithOneTieGiveFivePairs() {
        // ranks 1, 2, 2, 4: of the 6 pairs only (1, 2) is tied
        List<PreferencePair> pairs = PreferencePairs.of("p", Ranking.of(2, 1, 4, 2), 3, FlagPolicy.LOSES_TO_RANKED);

        assertThat(pairs).containsExactly(
                new PreferencePair("p", 1, 0, 1, 3),
                new PreferencePair("p", 0, 2, 2, 3),
                new PreferencePair("p", 1, 2, 3, 3),
                new PreferencePair("p", 1, 3, 1, 3),
                new PreferencePair("p", 3, 2, 2, 3));
    }

    @Test
    void flaggedCompletionsLoseToEveryRankedOneOrAreDropped() {
        // 0 rank 1, 1 flagged, 2 rank 2, 3 flagged
        Ranking ranking = Ranking.fromForm(Arrays.asList(1, null, 2, null), Set.of(1, 3));

        assertThat(PreferencePairs.of("p", ranking, 1, FlagPolicy.LOSES_TO_RANKED)).containsExactly(
                new PreferencePair("p", 0, 1, 2, 1),   // flagged counts as rank 3
                new PreferencePair("p", 0, 2, 1, 1),
                new PreferencePair("p", 0, 3, 2, 1),
                new PreferencePair("p", 2, 1, 1, 1),
                new PreferencePair("p", 2, 3, 1, 1)); // (1, 3): both flagged, no pair
        assertThat(PreferencePairs.of("p", ranking, 1, FlagPolicy.DROPPED)).containsExactly(
                new PreferencePair("p", 0, 2, 1, 1));
    }

    @Test
    void flaggedMarginStaysPositiveWithGapsInRanks() {
        // ranks 1 and 4 with gaps, 2 flagged: a flagged completion counts as rank 5
        Ranking ranking = Ranking.fromForm(Arrays.asList(4, null, 1, null), Set.of(1, 3));

        assertThat(PreferencePairs.of("p", ranking, 1, FlagPolicy.LOSES_TO_RANKED))
                .extracting(PreferencePair::margin).allSatisfy(m -> assertThat(m).isPositive());
    }

    @Test
    void pairsOfAConsensusCarryItsLabelerCount() {
        List<Judgement> judgements = List.of(
                new Judgement("p", "ann", Criterion.HELPFULNESS, Ranking.of(1, 2, 3)),
                new Judgement("p", "bob", Criterion.HELPFULNESS, Ranking.of(1, 3, 2)));
        ConsensusRanking consensus = Consensus.ofPrompt(judgements, new ConsensusMethod.Borda());

        // Borda mean ranks 1, 2.5, 2.5: completions 1 and 2 tie, so 2 pairs
        assertThat(PreferencePairs.of(consensus, FlagPolicy.LOSES_TO_RANKED)).containsExactly(
                new PreferencePair("p", 0, 1, 1, 2),
                new PreferencePair("p", 0, 2, 1, 2));
    }

    @Test
    void badPairsAreRejected() {
        assertThatThrownBy(() -> new PreferencePair("p", 1, 1, 1, 1)).hasMessageContaining("two different completion");
        assertThatThrownBy(() -> new PreferencePair("p", 0, 1, 0, 1)).hasMessageContaining("ties produce no pair");
    }
}
