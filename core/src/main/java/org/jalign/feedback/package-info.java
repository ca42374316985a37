/**
 * Human feedback: labelers' rankings of a prompt's N completions, stored, measured and turned into
 * the preference pairs a reward model or DPO trains on.
 *
 * <p>The math is pure functions on plain records:
 *
 * <pre>
 *   Judgement (prompt, labeler, Criterion, Ranking of Placement = Rank | Flag)
 *      │  Panel: one criterion, one judgement per (prompt, labeler), checked
 *      ├─► PairwiseView ─► Agreement: percent agreement, KendallTau τ_b, KrippendorffAlpha α
 *      ├─► Consensus (BordaCount | BradleyTerryFit | KemenyYoung) ─► ConsensusRanking
 *      │        └─► PreferencePairs: N-choose-2 (chosen, rejected, margin, labeler count)
 *      └─► PoorLabelers: agreement with leave-one-out consensus and gold, Wilson bound, flag
 * </pre>
 *
 * <p>Completions are numbered 0..N−1 in the order they are stored, never the shuffled order a
 * labeler saw them in. Flagged (nonsensical, unrankable) completions carry no rank; a
 * {@link org.jalign.feedback.FlagPolicy} says whether they lose to every ranked completion or drop
 * out of every pair.
 *
 * <p>Storage: {@link org.jalign.feedback.FeedbackStore} keeps feedback sets, prompts, completions,
 * labelers, sessions, assignments, labels and thumbs in one SQLite file (WAL, fsync on commit, one
 * label per prompt and labeler enforced by the database). Its records are named {@code Stored*}
 * and its inputs are nested in it. The labeling web app ({@code labeling}) and the
 * {@code feedback} commands stand on it.
 *
 * <p>Workflows the commands run: {@link org.jalign.feedback.FeedbackSampling} (N completions per
 * prompt from a model, with the model id and sampling settings), {@link org.jalign.feedback.FeedbackImport}
 * (existing completions), {@link org.jalign.feedback.FeedbackAnalysis} (stored labels → panel →
 * agreement, poor labelers, consensus), {@link org.jalign.feedback.FeedbackReport} and
 * {@link org.jalign.feedback.FeedbackExport} (pairs, ranked, unpaired JSONL).
 *
 * <p>A stage: builds on {@code data} (JSONL import); depends on no other stage.
 */
package org.jalign.feedback;
