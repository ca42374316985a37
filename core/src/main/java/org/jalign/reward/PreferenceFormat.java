package org.jalign.reward;

/** The two preference formats {@code jalign feedback export} writes and the reward stage reads. */
public enum PreferenceFormat {
    /** TRL's {@code {"prompt", "chosen", "rejected"}} (optionally {@code "margin"}): one pair a line. */
    PAIRS,
    /** {@code {"prompt", "completions": [...], "ranks": [...]}}: K completions of one prompt, ranked. */
    RANKED
}
