package org.jalign.eval;

import java.util.List;

/**
 * What an evaluation measured: one summary per policy (the baseline's included) and every sample,
 * prompt by prompt with each policy's completion side by side.
 *
 * @param scorers the scorers' names, in the order of every {@code scores} list below
 */
public record EvaluationResult(String baseline, SamplingSettings sampling, List<String> scorers,
                               List<PolicySummary> policies, List<Sample> samples) {

    public EvaluationResult {
        scorers = List.copyOf(scorers);
        policies = List.copyOf(policies);
        samples = List.copyOf(samples);
    }

    /**
     * One policy's numbers. KL estimates are NaN without a reference model.
     *
     * @param winRates empty for the baseline itself
     */
    public record PolicySummary(String name, List<ScoreSummary> scores, Estimate length, double eosFraction,
                                double distinct1, double distinct2, Estimate klK1, Estimate klK3,
                                List<JudgedWinRate> winRates) {
        public PolicySummary {
            scores = List.copyOf(scores);
            winRates = List.copyOf(winRates);
        }
    }

    /** A scorer's mean ± s.e. over a policy's completions; {@code flagged} is null when it flags nothing. */
    public record ScoreSummary(String scorer, Direction direction, Estimate score, Proportion flagged) {
    }

    /** A policy's win rate against the baseline, judged by a scorer or a {@link PairwiseJudge}. */
    public record JudgedWinRate(String judge, WinRate winRate) {
    }

    /** One (prompt, sample index) and each policy's completion, in the order of {@link #policies}. */
    public record Sample(int promptIndex, int sampleIndex, String prompt, List<Completion> completions) {
        public Sample {
            completions = List.copyOf(completions);
        }
    }

    /** One completion with its scores (in {@link #scorers} order) and KL estimates. */
    public record Completion(String policy, int[] ids, String text, boolean finishedByEos, List<Double> scores,
                             double klK1, double klK3) {
        public Completion {
            ids = ids.clone();
            scores = List.copyOf(scores);
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }

    /** The summary of {@code name}. */
    public PolicySummary policy(String name) {
        return policies.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no policy named " + name));
    }
}
