/**
 * Direct preference optimisation and its family: the policy learns from preference pairs (or
 * thumbs) without a reward model or sampling. {@link org.jalign.dpo.DpoLoss} holds the losses as
 * pure functions (sigmoid/DPO, IPO, hinge, SimPO, ORPO, KTO), {@link org.jalign.dpo.DpoTraining}
 * the run (data, reference log-probs, steps, checkpoints, final/), {@link org.jalign.dpo.DpoTrainer}
 * one optimizer step. Builds on {@code lm} (models, LoRA, log-probs), {@code run}, and the public
 * data classes of {@code reward} (pairs JSONL) and {@code sft} (prompt/completion encoding).
 */
package org.jalign.dpo;
