/**
 * Supervised fine-tuning data: TRL's two JSONL formats turned into token rows whose loss falls on
 * the reply alone.
 *
 * <ol>
 *   <li>{@link org.jalign.sft.SftDataset#read} parses {@code {"prompt", "completion"}} and
 *       {@code {"messages": [{"role", "content"}]}} lines into {@link org.jalign.sft.SftExample}s,
 *       failing on the first bad line with file, line and field.</li>
 *   <li>{@link org.jalign.sft.SftDataset#split} holds out an eval set by a seeded shuffle.</li>
 *   <li>{@link org.jalign.sft.SftEncoder} tokenizes an example: completion tokens and EOS, or every
 *       assistant turn as the chat template renders it, are the targets.</li>
 *   <li>{@link org.jalign.sft.SftRow#truncateLeft} fits a row to the maximum length by cutting the
 *       prompt's oldest tokens; {@link org.jalign.sft.SftPacking} optionally packs rows.</li>
 * </ol>
 *
 * {@link org.jalign.sft.SftDataset#prepare} runs these steps with one {@link org.jalign.sft.SftDataOptions}.
 * Pure data work: uses {@code data} for JSONL and chat templates and {@code lm}'s tokenizer seam
 * and {@code TokenBatch}; no model, no I/O beyond reading the file.
 */
package org.jalign.sft;
