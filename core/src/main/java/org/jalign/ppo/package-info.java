/**
 * The PPO stage of RLHF (Ziegler et al. 2019; Stiennon et al. 2020; Ouyang et al. 2022): the
 * policy samples completions, a {@link org.jalign.reward.RewardFunction} scores them, and PPO
 * raises the score while a per-token KL penalty keeps the policy near its frozen reference.
 *
 * <ul>
 *   <li>The math, pure static functions tested against hand-worked numbers: {@link org.jalign.ppo.Gae},
 *       {@link org.jalign.ppo.Whiten}, {@link org.jalign.ppo.KlPenalty} (k1/k3 estimators, shaped
 *       rewards), {@link org.jalign.ppo.KlController} (fixed, or adaptive after Ziegler et al.) and
 *       {@link org.jalign.ppo.PpoLoss} (clipped surrogate, clipped value loss, entropy, approx-KL).</li>
 *   <li>{@link org.jalign.ppo.PpoConfig}: every hyper-parameter, validated, defaults with sources.</li>
 *   <li>{@link org.jalign.ppo.PpoTrainer}: one PPO step in numbered steps (rollout, score,
 *       forward of policy and reference, shaped rewards, GAE + whitening, minibatch epochs, log);
 *       the reference is the same weights with the LoRA adapters switched off, or a frozen copy
 *       for full fine-tuning; the value head reads the policy's own final hidden states.</li>
 *   <li>{@link org.jalign.ppo.PpoTraining}: the run (prompts, run directory, checkpoints, resume,
 *       final/) that {@code jalign ppo} drives.</li>
 * </ul>
 *
 * <p>Dependencies: {@code lm} (models, LoRA, heads, optimizer), {@code data} (JSONL), {@code run}
 * (run directories, progress) and {@code reward}'s public seam and models.
 */
package org.jalign.ppo;
