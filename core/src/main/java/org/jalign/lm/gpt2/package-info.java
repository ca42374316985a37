/**
 * The GPT-2 block (HF {@code GPT2LMHeadModel}): pre-LayerNorm, learned absolute positions,
 * multi-head attention from one Conv1D c_attn projection, a gelu_new MLP, tied output embedding.
 * HF's Conv1D stores weights [in, out]; they are transposed once at load to the [out, in] layout
 * every other projection here uses.
 */
package org.jalign.lm.gpt2;
