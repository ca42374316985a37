/**
 * Training a tokenizer from scratch: byte-level BPE as in GPT-2, learned here in plain Java and
 * written as a Hugging Face {@code tokenizer.json} that DJL's tokenizers binding (and Python
 * {@code tokenizers}) load.
 *
 * <ul>
 *   <li>{@link org.jalign.lm.tokenizer.ByteLevel}: GPT-2's byte→character alphabet and its
 *       pre-tokenization regex, the exact steps the JSON's {@code pre_tokenizer} describes.</li>
 *   <li>{@link org.jalign.lm.tokenizer.BpeTrainer}: corpus text → vocabulary + merges; pure and
 *       deterministic.</li>
 *   <li>{@link org.jalign.lm.tokenizer.ByteLevelBpe}: the trained tokenizer, with a Java encoder
 *       that applies the merges the way the Rust library does (tests hold the two to the same ids).</li>
 *   <li>{@link org.jalign.lm.tokenizer.TokenizerJson}: writes {@code tokenizer.json},
 *       {@code tokenizer_config.json} and {@code special_tokens_map.json}, each atomically.</li>
 * </ul>
 */
package org.jalign.lm.tokenizer;
