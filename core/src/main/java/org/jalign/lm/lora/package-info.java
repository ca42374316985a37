/**
 * Low-rank adapters (LoRA, Hu et al. 2021): W' = W + (α/r)·B·A on chosen projections, with B
 * zero-initialised so a fresh adapter leaves the model unchanged. Adapters can be switched off
 * for a forward pass, so PPO's frozen reference is the same base in memory (no second copy);
 * they save and load in the Hugging Face PEFT format and can be merged into the base.
 */
package org.jalign.lm.lora;
