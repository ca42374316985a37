/**
 * The optimizer side of training, as small pure pieces a trainer orchestrates.
 *
 * <ul>
 *   <li>{@link org.jalign.lm.optim.AdamWConfig}: β1, β2, ε, weight decay and the peak learning
 *       rate, validated, with PyTorch's and the RLHF papers' defaults.</li>
 *   <li>{@link org.jalign.lm.optim.AdamW}: decoupled weight decay and bias-corrected Adam updates
 *       of named DJL arrays in place, exactly in the order {@code torch.optim.AdamW} applies them;
 *       zeroing of gradients (DJL accumulates them across collectors); global-norm clipping; the
 *       state (step count and moments) for checkpoints, so a resumed run continues bit-exactly
 *       ({@link org.jalign.lm.optim.AdamWState}).</li>
 *   <li>{@link org.jalign.lm.optim.TrainableParameter}: a named tensor and whether it decays;
 *       {@code decaysByDefault} is the usual rule (matrices decay, biases and norms do not).</li>
 *   <li>{@link org.jalign.lm.optim.GradientClipping}: {@code torch.nn.utils.clip_grad_norm_}.</li>
 *   <li>{@link org.jalign.lm.optim.LearningRateSchedule}: constant, warmup + cosine to a floor,
 *       warmup + linear decay, as Hugging Face's schedules.</li>
 * </ul>
 *
 * <p>One optimizer step of a trainer, with gradient accumulation over {@code k} micro-batches:
 * zero the gradients; for each micro-batch run forward and backward of loss/k in its own
 * gradient collector (DJL sums the gradients); clip; {@code step(peak · schedule.at(t))}. See
 * {@link org.jalign.lm.optim.AdamW} for the code and for micro-batches of unequal size.
 *
 * <p>Memory discipline (see {@code shared/notes/djl.md}): a new DJL array belongs to the manager
 * of its first operand, so every method here works in a scratch sub-manager it closes and
 * updates weights, moments and gradients in place; nothing accumulates across steps.
 */
package org.jalign.lm.optim;
