/**
 * Human feedback: storing it, and (with the agreement and consensus math that joins this package)
 * turning labelers' rankings of a prompt's N completions into agreement figures, consensus rankings
 * and preference pairs.
 *
 * <p>Storage: {@link org.jalign.feedback.FeedbackStore} keeps feedback sets, prompts, completions,
 * labelers, sessions, assignments, labels and thumbs in one SQLite file (WAL, fsync on commit, one
 * label per prompt and labeler enforced by the database). Its records are named {@code Stored*}
 * and its inputs are nested in it, so they never clash with the math's own types. The labeling
 * web app ({@code labeling}) and the {@code feedback} commands stand on it.
 *
 * <p>A stage: builds on {@code data} (JSONL import); depends on no other stage.
 */
package org.jalign.feedback;
