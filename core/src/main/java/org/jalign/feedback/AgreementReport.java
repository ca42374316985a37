package org.jalign.feedback;

/**
 * A panel's agreement on one criterion.
 *
 * @param criterion     the criterion judged
 * @param pairwise      agreement over every (prompt, completion pair, two labelers) with both judging the pair
 * @param meanKendallTauB mean τ_b over every (prompt, two labelers) where τ_b is defined; NaN if never
 * @param pairwiseAlpha Krippendorff's α, nominal, on pairwise judgements (left / right / tie)
 * @param rankAlpha     Krippendorff's α, ordinal, on the fractional ranks of each completion
 */
public record AgreementReport(Criterion criterion, AgreementCount pairwise, double meanKendallTauB,
                              double pairwiseAlpha, double rankAlpha) {
}
