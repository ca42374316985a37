/**
 * Constitutional AI (Bai et al. 2022, "Constitutional AI: Harmlessness from AI Feedback") and RLAIF
 * (Lee et al. 2023): a written list of principles replaces human labels.
 *
 * <ol>
 *   <li>{@link org.jalign.constitution.Constitution}: principles, each a critique request, a
 *       revision request and a judging question, from JSONL or the built-in default.</li>
 *   <li>Supervised stage (SL-CAI): {@link org.jalign.constitution.CritiqueRevision} samples a
 *       response, then for K rounds asks the model to critique it under a drawn principle and to
 *       revise it; {@link org.jalign.constitution.RevisionRun} writes the last revisions as SFT
 *       data that {@code jalign sft} reads, with a trace, resumably.</li>
 *   <li>AI feedback (RL-CAI / RLAIF): a {@link org.jalign.constitution.PreferenceJudge} says how
 *       likely the first of two completions is preferred; {@link org.jalign.constitution.LogProbJudge}
 *       reads it from a judge model's next-token probabilities of "A" and "B";
 *       {@link org.jalign.constitution.AiFeedback} judges every pair in both orders and under
 *       several principles and writes the pairs {@code jalign feedback export} writes, with the soft
 *       label added.</li>
 * </ol>
 *
 * Builds on lm (generation, log-probs), data (JSONL, chat templates), run (manifests, progress)
 * and sft's public encoder, so prompts are rendered exactly as SFT renders them.
 */
package org.jalign.constitution;
