package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConsensusTest {

    private static final ConsensusMethod BORDA = new ConsensusMethod.Borda();
    private static final ConsensusMethod BRADLEY_TERRY = new ConsensusMethod.BradleyTerry();
    private static final ConsensusMethod KEMENY = new ConsensusMethod.Kemeny();

    private static List<Judgement> prompt(Ranking... rankings) {
        List<Judgement> judgements = new ArrayList<>();
        for (int i = 0; i < rankings.length; i++) {
            judgements.add(new Judgement("p", "labeler-" + i, Criterion.HELPFULNESS, rankings[i]));
        }
        return judgements;
    }

    @Test
    void bradleyTerryOfTwoItemsIsTheWinRatio() {
        // Closed form: with one pair, ℓ = w ln(γ0/(γ0+γ1)) + l ln(γ1/(γ0+γ1)) is maximised at
        // γ0/(γ0+γ1) = w/(w+l), i.e. γ0/γ1 = w/l.
        double[] strengths = BradleyTerryFit.strengths(new double[][] {{0, 7}, {3, 0}}, 0);

        assertThat(strengths[0] / strengths[1]).isCloseTo(7.0 / 3, within(1e-12));
        assertThat(strengths[0] * strengths[1]).isCloseTo(1.0, within(1e-12)); // geometric mean 1
        assertThat(BradleyTerryFit.probability(strengths, 0, 1)).isCloseTo(0.7, within(1e-12));
    }

    @Test
    void bradleyTerryPriorActsAsPseudoTies() {
        // prior 2 ties per pair = one extra win each way: ratio (7 + 1)/(3 + 1) = 2
        double[] strengths = BradleyTerryFit.strengths(new double[][] {{0, 7}, {3, 0}}, 2);

        assertThat(strengths[0] / strengths[1]).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void bradleyTerryConvergesToTheMaximumLikelihoodPoint() {
        // 4 items, uneven comparisons with ties as halves; Ford's condition holds (3 beats 0 once)
        double[][] wins = {
                {0, 5, 3.5, 2},
                {1, 0, 4, 3},
                {0.5, 2, 0, 2.5},
                {1, 0, 1.5, 0},
        };
        double[] strengths = BradleyTerryFit.strengths(wins, 0);

        assertThat(BradleyTerryFit.logLikelihoodGradient(wins, strengths)).containsExactly(new double[4], within(1e-9));
        assertThat(strengths[0]).isGreaterThan(strengths[1]);
        assertThat(strengths[1]).isGreaterThan(strengths[2]);
        assertThat(strengths[2]).isGreaterThan(strengths[3]);
    }

    @Test
    void bradleyTerryWithPriorStaysFiniteForAnAlwaysWinner() {
        double[][] wins = {{0, 5, 5}, {0, 0, 3}, {0, 2, 0}}; // item 0 wins everything, item 0 never loses
        double prior = ConsensusMethod.BradleyTerry.DEFAULT_PRIOR_TIES_PER_PAIR;

        double[] strengths = BradleyTerryFit.strengths(wins, prior);

        assertThat(Arrays.stream(strengths).boxed().toList()).allSatisfy(s -> assertThat(s).isFinite().isPositive());
        assertThat(BradleyTerryFit.probability(strengths, 0, 1)).isBetween(0.9, 1.0);
        // the fit is the maximum of the likelihood with the pseudo-ties added
        double[][] withPrior = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                withPrior[i][j] = i == j ? 0 : wins[i][j] + prior / 2;
            }
        }
        assertThat(BradleyTerryFit.logLikelihoodGradient(withPrior, strengths)).containsExactly(new double[3], within(1e-9));
        // and without a prior the maximum does not exist, which is said rather than looped on
        assertThatThrownBy(() -> BradleyTerryFit.strengths(wins, 0))
                .hasMessageContaining("item 1 never beats item 0")
                .hasMessageContaining("Ford's condition fails");
    }

    @Test
    void kemenyOnACondorcetCycleBreaksTheTieDeterministically() {
        // A > B > C, B > C > A, C > A > B: each pairwise majority is 2 to 1, around a cycle.
        // Costs (reversed preferences): ABC = w[B][A] + w[C][A] + w[C][B] = 1 + 2 + 1 = 4, and by
        // symmetry BCA = CAB = 4; the reverses ACB, BAC, CBA cost 5. Borda gives every item mean
        // rank 2, so the tie-break falls to completion index: A, B, C.
        List<Judgement> cycle = prompt(Ranking.of(1, 2, 3), Ranking.of(3, 1, 2), Ranking.of(2, 3, 1));
        double[][] wins = PairwiseView.winMatrix(cycle.stream().map(Judgement::ranking).toList(),
                FlagPolicy.LOSES_TO_RANKED);

        assertThat(KemenyYoung.disagreements(new int[] {0, 1, 2}, wins)).isEqualTo(4.0);
        assertThat(KemenyYoung.disagreements(new int[] {1, 2, 0}, wins)).isEqualTo(4.0);
        assertThat(KemenyYoung.disagreements(new int[] {0, 2, 1}, wins)).isEqualTo(5.0);
        assertThat(Consensus.ofPrompt(cycle, KEMENY).ranking()).isEqualTo(Ranking.of(1, 2, 3));
        assertThat(KemenyYoung.optimalOrder(wins, new int[] {2, 0, 1})).containsExactly(2, 0, 1);
        assertThat(Consensus.ofPrompt(cycle, BORDA).ranking()).isEqualTo(Ranking.of(1, 1, 1));
    }

    @Test
    void bordaAndKemenyDifferWhenBordaMissesTheCondorcetWinner() {
        // 3 × A > B > C and 2 × B > C > A.
        // Borda mean ranks: A (3·1 + 2·3)/5 = 1.8, B (3·2 + 2·1)/5 = 1.6, C (3·3 + 2·2)/5 = 2.6 → B, A, C.
        // Kemeny: w[A][B] = 3, w[B][A] = 2, w[A][C] = 3, w[C][A] = 2, w[B][C] = 5, w[C][B] = 0;
        // cost(ABC) = 2 + 2 + 0 = 4 < cost(BAC) = 3 + 0 + 2 = 5 → A, B, C (A beats both head to head).
        // Bradley–Terry with every pair compared equally often ranks by total wins (its likelihood
        // equations fix W_i), B 7 > A 6 > C 2, the Borda order.
        List<Judgement> votes = prompt(Ranking.of(1, 2, 3), Ranking.of(1, 2, 3), Ranking.of(1, 2, 3),
                Ranking.of(3, 1, 2), Ranking.of(3, 1, 2));

        ConsensusRanking borda = Consensus.ofPrompt(votes, BORDA);
        assertThat(borda.scores()).containsExactly(1.8, 1.6, 2.6);
        assertThat(borda.ranking()).isEqualTo(Ranking.of(2, 1, 3));
        assertThat(Consensus.ofPrompt(votes, KEMENY).ranking()).isEqualTo(Ranking.of(1, 2, 3));
        assertThat(Consensus.ofPrompt(votes, new ConsensusMethod.BradleyTerry(0)).ranking())
                .isEqualTo(Ranking.of(2, 1, 3));
        assertThat(borda.labelerCount()).isEqualTo(5);
    }

    @Test
    void majorityFlagsFlagTheConsensusAndMinorityFlagsCountAsLosses() {
        // completion 2 flagged by 2 of 3 → flagged; completion 3 flagged by 1 of 3 → ranked last
        List<Judgement> votes = prompt(
                Ranking.fromForm(Arrays.asList(1, 2, null, null), Set.of(2, 3)),
                Ranking.fromForm(Arrays.asList(2, 1, null, 3), Set.of(2)),
                Ranking.of(1, 2, 4, 3));

        for (ConsensusMethod method : List.of(BORDA, BRADLEY_TERRY, KEMENY)) {
            assertThat(Consensus.ofPrompt(votes, method).ranking()).as(method.toString())
                    .isEqualTo(Ranking.fromForm(Arrays.asList(1, 2, null, 3), Set.of(2)));
        }
    }

    @Test
    void excludedLabelersAreLeftOut() {
        Panel panel = Panel.of(
                new Judgement("p", "ann", Criterion.HONESTY, Ranking.of(1, 2)),
                new Judgement("p", "bob", Criterion.HONESTY, Ranking.of(1, 2)),
                new Judgement("p", "eve", Criterion.HONESTY, Ranking.of(2, 1)),
                new Judgement("q", "eve", Criterion.HONESTY, Ranking.of(2, 1)));

        SortedMap<String, ConsensusRanking> all = Consensus.of(panel, BORDA);
        SortedMap<String, ConsensusRanking> withoutEve = Consensus.of(panel, BORDA, Set.of("eve"));

        assertThat(all.get("p").scores()).containsExactly(4.0 / 3, 5.0 / 3);
        assertThat(all.get("p").labelerCount()).isEqualTo(3);
        assertThat(withoutEve.keySet()).containsExactly("p"); // nobody left on q
        assertThat(withoutEve.get("p").scores()).containsExactly(1.0, 2.0);
        assertThat(withoutEve.get("p").labelerCount()).isEqualTo(2);
    }

    @Test
    void kemenyRefusesMoreThanEightCompletions() {
        assertThatThrownBy(() -> Consensus.ofPrompt(prompt(Ranking.of(1, 2, 3, 4, 5, 6, 7, 8, 9)), KEMENY))
                .hasMessageContaining("limited to N <= 8 completions, got 9; use Borda or Bradley-Terry");
        // 8 is fine and exact: a single labeler's strict ranking is its own Kemeny consensus
        Ranking eight = Ranking.of(3, 1, 8, 2, 7, 4, 6, 5);
        assertThat(Consensus.ofPrompt(prompt(eight), KEMENY).ranking()).isEqualTo(eight);
    }

    @Test
    void simulatedPanelConsensusRecoversTheTrueOrderDespiteARandomLabeler() {
        // 5 careful labelers (each pair flipped with probability 0.1) and one who ranks at random,
        // 60 prompts of 4 completions, nobody excluded. A Monte Carlo of 20,000 prompts of this
        // model gives the rates the code should reach: exact order Kemeny 93.0%, Borda 82.5%
        // (Bradley–Terry = Borda: every pair is compared equally often, so it orders by total
        // wins); pairs ordered as in the truth, Borda 97.1%. The thresholds sit ~2.5 binomial
        // standard deviations below those rates (the lowest counts over seeds 1..30 were Kemeny 51,
        // Borda 44, pairs 95.6%), so they hold for any seed and still catch a broken method.
        // PoorLabelersTest checks the pipeline that excludes the flagged labeler first.
        SimulatedPanel simulation = new SimulatedPanel(60, 4, List.of("c1", "c2", "c3", "c4", "c5"),
                List.of("random"), 0.1, 20240601L);

        Map<ConsensusMethod, Integer> minimumExact = Map.of(KEMENY, 49, BORDA, 42, BRADLEY_TERRY, 42);
        for (Map.Entry<ConsensusMethod, Integer> method : minimumExact.entrySet()) {
            int exact = 0;
            long pairsRight = 0;
            int p = 0;
            for (ConsensusRanking consensus : Consensus.of(simulation.panel(), method.getKey()).values()) {
                Ranking truth = Ranking.of(simulation.trueRanks.get(p++));
                exact += consensus.ranking().equals(truth) ? 1 : 0;
                pairsRight += Agreement.pairwise(consensus.ranking(), truth, FlagPolicy.LOSES_TO_RANKED).agreeing();
            }
            assertThat(exact).as(method.getKey() + " exact orders of 60").isGreaterThanOrEqualTo(method.getValue());
            assertThat(pairsRight / 360.0).as(method.getKey() + " pairs right").isGreaterThanOrEqualTo(0.94);
        }
    }
}
