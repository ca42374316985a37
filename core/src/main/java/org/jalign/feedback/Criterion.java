package org.jalign.feedback;

/**
 * What a labeler judged completions on. Agreement, consensus and pairs are computed per criterion:
 * a completion can be the most helpful and the least harmless of the same set (Bai et al. 2022,
 * "Training a Helpful and Harmless Assistant with RLHF", trains on helpfulness and harmlessness
 * data separately), so judgements on different criteria are never pooled.
 */
public enum Criterion {
    HELPFULNESS,
    HARMLESSNESS,
    HONESTY,
    /** A criterion defined by the project's own labeling instructions. */
    CUSTOM
}
