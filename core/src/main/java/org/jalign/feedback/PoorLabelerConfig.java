package org.jalign.feedback;

/**
 * When {@link PoorLabelers} flags a labeler.
 *
 * <p>Defaults ({@link #defaults()}) and why:
 * <ul>
 *   <li>margin 0.15: careful labelers agree with each other on roughly three pairs in four
 *       (Ouyang et al. 2022, InstructGPT: 72.6 ± 1.5% among training labelers, 77.3 ± 1.3% among
 *       held-out ones), so a labeler whose agreement is credibly 15 points below the panel's
 *       typical labeler is closer to chance (50% on strict pairs) than to the panel;</li>
 *   <li>at least 20 pairwise judgements: with fewer, a 95% Wilson interval is wider than ±0.2
 *       and almost nobody could be flagged; 20 pairs is ~4 prompts of 4 completions;</li>
 *   <li>95% confidence: the conventional two-sided level; the lower end is used, so a labeler is
 *       flagged only when even the optimistic reading of their agreement is low;</li>
 *   <li>Borda for the leave-one-out consensus: closed form (no iteration), so assessing L labelers
 *       over P prompts costs L·P consensus computations and nothing more;</li>
 *   <li>flagged completions lose to ranked ones, as in the consensus.</li>
 * </ul>
 *
 * @param margin            how far below the panel median the lower bound must fall, in [0, 1)
 * @param minimumJudgements fewest compared pairwise judgements before a labeler can be flagged, ≥ 1
 * @param confidence        two-sided confidence level of the Wilson interval, in (0, 1)
 * @param consensusMethod   how the other labelers' consensus is formed
 * @param flags             what pairs with flagged completions mean
 */
public record PoorLabelerConfig(double margin, int minimumJudgements, double confidence,
                                ConsensusMethod consensusMethod, FlagPolicy flags) {

    public PoorLabelerConfig {
        if (!(margin >= 0 && margin < 1)) {
            throw new IllegalArgumentException("poorLabelers.margin must be in [0, 1), got " + margin);
        }
        if (minimumJudgements < 1) {
            throw new IllegalArgumentException("poorLabelers.minimumJudgements must be >= 1, got " + minimumJudgements);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("poorLabelers.confidence must be in (0, 1), e.g. 0.95, got " + confidence);
        }
        if (consensusMethod == null || flags == null) {
            throw new IllegalArgumentException("poorLabelers.consensusMethod and poorLabelers.flags are required");
        }
    }

    public static PoorLabelerConfig defaults() {
        return new PoorLabelerConfig(0.15, 20, 0.95, new ConsensusMethod.Borda(), FlagPolicy.LOSES_TO_RANKED);
    }
}
