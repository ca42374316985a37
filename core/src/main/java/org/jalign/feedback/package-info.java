/**
 * Human feedback as math: labelers' rankings of a prompt's N completions, how much the labelers
 * agree, one consensus ranking per prompt, which labelers to distrust, and the preference pairs a
 * reward model or DPO trains on. Pure functions on plain records; no database, web app or I/O
 * (the labeling app, storage and the {@code feedback} commands build on this package).
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
 * <p>A stage: depends on nothing in jalign (it may use {@code data}, {@code lm}, {@code run}).
 */
package org.jalign.feedback;
