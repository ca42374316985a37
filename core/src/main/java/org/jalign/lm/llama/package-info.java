/**
 * The Llama block, which also serves Qwen2 (the same block with q/k/v biases): RMSNorm, rotary
 * position embeddings in Hugging Face's rotate-half layout, grouped-query attention and a
 * SiLU-gated MLP. Projections are fused at load (q|k|v into one matrix, gate|up into another),
 * so a layer costs three large matmuls and one small one instead of seven.
 *
 * <p>Decoding has two engines: {@code LlamaModel.hiddenStates} on DJL, and
 * {@code LlamaDecodeSession}, the same block in plain Java on {@code lm.kernel} over the DJL
 * tensors' own memory, used for the decode steps when {@link org.jalign.lm.DecodeEngine} allows.
 */
package org.jalign.lm.llama;
