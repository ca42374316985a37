/**
 * The {@code jalign} command line (picocli): one class per command, each parsing and validating
 * its options and input, then calling the stage that does the work.
 *
 * <p>Commands validate every input line before loading a model, so a typo costs milliseconds, not
 * a model load. Errors print one line ({@code jalign generate: prompts.jsonl line 3: ...}); exit
 * status 2 means the command line was wrong, 1 that the run failed. {@code --verbose} or
 * {@code JALIGN_DEBUG=1} add the stack trace.
 *
 * <p>The top of the dependency graph: {@code cli} may use every stage; nothing in core uses
 * {@code cli}. Two option mixins are public, {@link org.jalign.cli.GenerationOptions} and
 * {@link org.jalign.cli.ScoringOptions}, so the Spark module's jobs (another tool at this level)
 * take {@code generate}'s and {@code reward score}'s options with the same checks and messages;
 * the line formats both read and write are {@link org.jalign.lm.PromptLine} and
 * {@link org.jalign.reward.ScoreLine}.
 */
package org.jalign.cli;
