package org.jalign.eval;

import java.util.List;

/**
 * The seam for judging a policy's completion against the baseline's on the same prompt: a rule,
 * a reward model ({@link Scorer}s are turned into judges by {@link Direction#compare}) or, later,
 * an AI judge that reads both texts. An AI judge should show the two completions in a random
 * order to cancel its position bias (Zheng et al. 2023, "Judging LLM-as-a-Judge"); that is the
 * judge's business, since only it knows how it reads them.
 */
@FunctionalInterface
public interface PairwiseJudge {

    /** One comparison: the prompt and both completions, as ids and as decoded text. */
    record Comparison(String prompt, int[] promptIds, String policyCompletion, int[] policyCompletionIds,
                      String baselineCompletion, int[] baselineCompletionIds) {
        public Comparison {
            promptIds = promptIds.clone();
            policyCompletionIds = policyCompletionIds.clone();
            baselineCompletionIds = baselineCompletionIds.clone();
        }
    }

    /**
     * @return one outcome per comparison, in order, from the policy's side
     */
    List<Outcome> judge(List<Comparison> comparisons);
}
