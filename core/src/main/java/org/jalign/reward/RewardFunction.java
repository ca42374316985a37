package org.jalign.reward;

import java.util.List;

/**
 * The seam PPO (and evaluation) call to score completions: one number per (prompt, completion),
 * higher is better. A trained {@link RewardModel}, a {@link ClassifierReward} over an existing
 * Hugging Face classifier, a rule or a remote judge are all just implementations.
 *
 * <p>Token ids, not text: the policy's prompt ids (already rendered with its chat template) and
 * the sampled completion ids, exactly as generated (an EOS the policy emitted is part of the
 * completion and is what a reward model reads).
 */
@FunctionalInterface
public interface RewardFunction {

    /**
     * @param prompts     prompt ids, one array per row
     * @param completions completion ids, one array per row, as many as {@code prompts}
     * @return one reward per row, in order
     */
    float[] score(List<int[]> prompts, List<int[]> completions);
}
