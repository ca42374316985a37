package org.jalign.feedback;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PoorLabelersTest {

    private static final List<String> CAREFUL = List.of("c1", "c2", "c3", "c4", "c5");

    @Test
    void normalQuantileMatchesTables() {
        // Φ⁻¹ values from scipy.stats.norm.ppf
        assertThat(PoorLabelers.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(PoorLabelers.normalQuantile(0.95)).isCloseTo(1.6448536269514722, within(1e-8));
        assertThat(PoorLabelers.normalQuantile(0.995)).isCloseTo(2.5758293035489004, within(1e-8));
        assertThat(PoorLabelers.normalQuantile(1e-5)).isCloseTo(-4.264890793922825, within(1e-8));
        assertThat(PoorLabelers.normalQuantile(0.5)).isEqualTo(0.0);
    }

    @Test
    void wilsonLowerBoundMatchesNewcombe1998() {
        // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
        // seven methods", Statistics in Medicine 17, Table I, method 3 (score, no continuity
        // correction), 95%: 81/263 → 0.2553, 15/148 → 0.0624, 0/20 → 0.0000, 1/29 → 0.0061.
        assertThat(PoorLabelers.wilsonLowerBound(new AgreementCount(81, 263), 0.95)).isCloseTo(0.2553, within(5e-5));
        assertThat(PoorLabelers.wilsonLowerBound(new AgreementCount(15, 148), 0.95)).isCloseTo(0.0624, within(5e-5));
        assertThat(PoorLabelers.wilsonLowerBound(new AgreementCount(0, 20), 0.95)).isEqualTo(0.0);
        assertThat(PoorLabelers.wilsonLowerBound(new AgreementCount(1, 29), 0.95)).isCloseTo(0.0061, within(5e-5));
        assertThat(PoorLabelers.wilsonLowerBound(AgreementCount.NONE, 0.95)).isEqualTo(0.0);
    }

    @Test
    void simulatedPanelFlagsTheRandomLabelerAndOnlyIt() {
        // 5 careful labelers (each pair flipped with probability 0.1) and one ranking at random,
        // 60 prompts × 4 completions = 360 pairs each. Careful labelers agree with the others'
        // consensus on ~90% of pairs, the random one on ~50%: its 95% lower bound (~0.45) is far
        // below median − 0.15 (~0.75), theirs (~0.85) far above.
        SimulatedPanel simulation = new SimulatedPanel(60, 4, CAREFUL, List.of("random"), 0.1, 20240601L);

        for (ConsensusMethod method : List.of(new ConsensusMethod.Borda(), new ConsensusMethod.BradleyTerry(),
                new ConsensusMethod.Kemeny())) {
            PoorLabelerConfig config = new PoorLabelerConfig(0.15, 20, 0.95, method, FlagPolicy.LOSES_TO_RANKED);
            LabelerReport report = PoorLabelers.assess(simulation.panel(), config);

            assertThat(report.flaggedLabelers()).as(method.toString()).containsExactly("random");
            LabelerQuality random = report.labelers().stream().filter(q -> q.labelerId().equals("random"))
                    .findFirst().orElseThrow();
            assertThat(random.withConsensus().compared()).isEqualTo(360);
            assertThat(random.withConsensus().rate()).isBetween(0.35, 0.65);
            assertThat(random.flags()).containsExactly(LabelerQuality.Reason.LOW_CONSENSUS_AGREEMENT);
            assertThat(report.consensusMedian()).isGreaterThan(0.8);
        }
    }

    @Test
    void excludingTheFlaggedLabelerThenConsensusRecoversTheTrueOrder() {
        // The pipeline of the issue: flag, exclude, take the consensus. How often the exact order of
        // 4 completions is recovered is a property of the noise, not only of the code. With these
        // 5 careful labelers (a Mallows model with φ = 1/9), a Monte Carlo of 20,000 prompts gives:
        //   Kemeny 97.5%, Borda 93.9% of prompts exactly right (Bradley–Terry = Borda here: with every
        //   pair compared equally often its order is the order of total wins);
        //   pairs ordered as in the truth: Borda 98.9%.
        // The thresholds below sit ~3 binomial standard deviations under those rates (60 prompts;
        // the lowest counts over seeds 1..30 were Kemeny 56, Borda 50), so they hold for any seed
        // and still fail on a real regression. The random labeler was flagged, alone, on all 30 seeds.
        SimulatedPanel simulation = new SimulatedPanel(60, 4, CAREFUL, List.of("random"), 0.1, 20240601L);
        Set<String> flagged = PoorLabelers.assess(simulation.panel(), PoorLabelerConfig.defaults()).flaggedLabelers();
        assertThat(flagged).containsExactly("random");

        Map<ConsensusMethod, Integer> minimumExact = Map.of(
                new ConsensusMethod.Kemeny(), 54,
                new ConsensusMethod.Borda(), 49,
                new ConsensusMethod.BradleyTerry(), 49);
        for (Map.Entry<ConsensusMethod, Integer> method : minimumExact.entrySet()) {
            int exact = 0;
            long pairsRight = 0;
            int p = 0;
            for (ConsensusRanking consensus : Consensus.of(simulation.panel(), method.getKey(), flagged).values()) {
                Ranking truth = Ranking.of(simulation.trueRanks.get(p++));
                exact += consensus.ranking().equals(truth) ? 1 : 0;
                pairsRight += Agreement.pairwise(consensus.ranking(), truth, FlagPolicy.LOSES_TO_RANKED).agreeing();
            }
            assertThat(exact).as(method.getKey() + " exact orders of 60").isGreaterThanOrEqualTo(method.getValue());
            assertThat(pairsRight / 360.0).as(method.getKey() + " pairs right").isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void goldItemsFlagALabelerWhoContradictsThem() {
        // 25 gold prompts of 3 completions (75 pairs each); ann and bob follow the gold order, eve reverses it
        List<Judgement> judgements = new java.util.ArrayList<>();
        Map<String, Ranking> gold = new HashMap<>();
        for (int p = 0; p < 25; p++) {
            String id = "gold-" + p;
            gold.put(id, Ranking.of(1, 2, 3));
            judgements.add(new Judgement(id, "ann", Criterion.HARMLESSNESS, Ranking.of(1, 2, 3)));
            judgements.add(new Judgement(id, "bob", Criterion.HARMLESSNESS, Ranking.of(1, 3, 2)));
            judgements.add(new Judgement(id, "eve", Criterion.HARMLESSNESS, Ranking.of(3, 2, 1)));
        }

        LabelerReport report = PoorLabelers.assess(new Panel(judgements), gold, PoorLabelerConfig.defaults());

        assertThat(report.flaggedLabelers()).containsExactly("eve");
        LabelerQuality eve = report.labelers().get(2);
        assertThat(eve.withGold()).isEqualTo(new AgreementCount(0, 75));
        assertThat(eve.flags()).contains(LabelerQuality.Reason.LOW_GOLD_AGREEMENT);
        assertThat(report.goldMedian()).isCloseTo(2.0 / 3, within(1e-12)); // bob: 2 of 3 pairs
    }

    @Test
    void tooFewJudgementsAreNeverFlagged() {
        // eve contradicts ann and bob, but on 2 prompts × 3 pairs = 6 judgements < 20
        Panel panel = new Panel(List.of(
                new Judgement("a", "ann", Criterion.HONESTY, Ranking.of(1, 2, 3)),
                new Judgement("a", "bob", Criterion.HONESTY, Ranking.of(1, 2, 3)),
                new Judgement("a", "eve", Criterion.HONESTY, Ranking.of(3, 2, 1)),
                new Judgement("b", "ann", Criterion.HONESTY, Ranking.of(2, 1, 3)),
                new Judgement("b", "bob", Criterion.HONESTY, Ranking.of(2, 1, 3)),
                new Judgement("b", "eve", Criterion.HONESTY, Ranking.of(2, 3, 1))));

        LabelerReport report = PoorLabelers.assess(panel, PoorLabelerConfig.defaults());

        assertThat(report.flaggedLabelers()).isEmpty();
        assertThat(report.consensusMedian()).isNaN();
        assertThat(report.labelers().get(2).withConsensus().rate()).isLessThan(0.5);
    }

    @Test
    void configAndGoldMismatchAreNamed() {
        assertThatThrownBy(() -> new PoorLabelerConfig(1.5, 20, 0.95, new ConsensusMethod.Borda(),
                FlagPolicy.LOSES_TO_RANKED)).hasMessage("poorLabelers.margin must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> new PoorLabelerConfig(0.15, 20, 95, new ConsensusMethod.Borda(),
                FlagPolicy.LOSES_TO_RANKED)).hasMessageContaining("poorLabelers.confidence must be in (0, 1)");
        Panel panel = Panel.of(new Judgement("a", "ann", Criterion.HONESTY, Ranking.of(1, 2, 3)));
        assertThatThrownBy(() -> PoorLabelers.assess(panel, Map.of("a", Ranking.of(1, 2)), PoorLabelerConfig.defaults()))
                .hasMessage("gold ranking of prompt a has 2 completions but its judgements have 3");
    }
}
