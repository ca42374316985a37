/**
 * The LM inference core: decoder-only model families, batched generation and per-token log-probs,
 * the ground every stage (sft, reward, ppo, dpo, ...) builds on.
 *
 * <ul>
 *   <li>{@link org.jalign.lm.LanguageModel} is the entry point: load a Hugging Face directory (or
 *       build from weights in memory), {@code generate} completions, {@code score} sequences
 *       (log p of each next token and the entropy of its distribution).</li>
 *   <li>{@link org.jalign.lm.ModelConfig} reads {@code config.json};
 *       {@link org.jalign.lm.Architecture} says which family builds the network;
 *       {@link org.jalign.lm.SpecialTokens} resolves BOS/EOS/pad.</li>
 *   <li>Generation: {@link org.jalign.lm.Generator} (left-padded batch, prefill, decode with a
 *       preallocated {@link org.jalign.lm.KvCache}, finished rows compacted away),
 *       {@link org.jalign.lm.TokenSampler} (repetition penalty, temperature, top-k, top-p, in
 *       Hugging Face's order), configured by {@link org.jalign.lm.GenerationConfig}. The model's
 *       side of the loop is a {@link org.jalign.lm.DecodeSession}: DJL ops for every family
 *       ({@link org.jalign.lm.DjlDecodeSession}), or for Llama/Qwen2 plain Java on the Vector API
 *       ({@code lm.kernel}), chosen by {@link org.jalign.lm.DecodeEngine}.
 *       {@link org.jalign.lm.PromptLine} is {@code jalign generate}'s JSONL line in and out (for the
 *       CLI and the Spark job alike); {@link org.jalign.lm.TokenIdChecks} checks a line's token ids
 *       against the model.</li>
 *   <li>Shared math: {@link org.jalign.lm.Attention} (masked, grouped-query) and
 *       {@link org.jalign.lm.TokenLogProbs} (the log-probs and entropies PPO, DPO and the KL
 *       penalty are made of).</li>
 * </ul>
 *
 * <p>The seams are small interfaces, so a stage never sees an architecture:
 * {@link org.jalign.lm.DecoderModel} (one implementation per family: {@code lm.llama} serves
 * Llama and Qwen2, {@code lm.gpt2} GPT-2), {@link org.jalign.lm.TensorSource} (named weights from
 * a checkpoint via {@code lm.safetensors}, or from memory) and {@link org.jalign.lm.TextTokenizer}
 * ({@code tokenizer.json} via {@link org.jalign.lm.HfTokenizer}, or a test's own).
 *
 * <p>Memory: the weights live on {@link org.jalign.lm.DecoderModel#manager()}; every forward
 * pass puts its results on the manager of its inputs, so callers scope a call with
 * {@code manager().newSubManager()} in try-with-resources and nothing accumulates across calls
 * ({@code LeakTest} checks that).
 *
 * <p>Dependencies: the lm root wires the families together; the families and
 * {@code lm.safetensors} do not use each other, {@code lm.kernel} uses nothing else in jalign, and nothing in lm uses a stage, {@code run},
 * {@code bench} or {@code cli} ({@code ArchitectureTest}).
 */
package org.jalign.lm;
