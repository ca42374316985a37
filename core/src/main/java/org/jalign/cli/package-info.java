/**
 * The {@code jalign} command line (picocli): one class per command, each parsing and validating
 * its options and input, then calling the stage that does the work.
 *
 * <p>Commands validate every input line before loading a model, so a typo costs milliseconds, not
 * a model load. Errors print one line ({@code jalign generate: prompts.jsonl line 3: ...}); exit
 * status 2 means the command line was wrong, 1 that the run failed. {@code --verbose} or
 * {@code JALIGN_DEBUG=1} add the stack trace.
 *
 * <p>The top of the dependency graph: {@code cli} may use every stage; nothing uses {@code cli}.
 */
package org.jalign.cli;
