package org.jalign.feedback;

import java.time.Instant;

/**
 * A feedback set: prompts judged on one criterion under one evolving set of instructions.
 *
 * @param criterion           HELPFULNESS, HARMLESSNESS, HONESTY or CUSTOM (the names of the
 *                            feedback criteria; see {@link FeedbackStore#CRITERIA})
 * @param criterionText       what CUSTOM means (required for it), or an optional gloss
 * @param overlap             K: how many distinct labelers rank each (non-gold) prompt
 * @param goldRate            the share of a labeler's assignments that are gold items, in [0, 1)
 * @param seed                fixes the order prompts are handed out and completions are shown
 * @param instructionsVersion the latest version of the instructions
 */
public record StoredSet(long id, String name, String criterion, String criterionText, int overlap, double goldRate,
                        long seed, int instructionsVersion, Instant createdAt) {
}
