/**
 * The reward model stage: a scalar score for a (prompt, completion) learned from human
 * preferences, and the {@link org.jalign.reward.RewardFunction} seam PPO scores completions through.
 *
 * <ul>
 *   <li>{@link org.jalign.reward.RewardFunction}: (prompt ids, completion ids) → one reward per
 *       row. Implementations: {@link org.jalign.reward.RewardModel} (an LM + reward head, read at
 *       the last real token, normalised once) and {@link org.jalign.reward.ClassifierReward} (any
 *       Hugging Face {@code *ForSequenceClassification}, e.g. a toxicity classifier's class).</li>
 *   <li>{@link org.jalign.reward.RewardLoss}: the pure math — pairwise Bradley–Terry loss with
 *       optional margin and centring, the K-ranked InstructGPT form, accuracy.</li>
 *   <li>{@link org.jalign.reward.RewardNormalisation}: gain and bias so reference rewards have
 *       mean 0, std 1.</li>
 *   <li>Data: {@link org.jalign.reward.PreferenceDataset} reads the pairs and ranked JSONL that
 *       {@code feedback export} writes and splits it by prompt; {@link org.jalign.reward.RewardEncoder}
 *       renders (prompt, completion) with the model's chat template through SFT's encoder and cuts
 *       long sequences keeping the completion's end. {@link org.jalign.reward.ScoreLine} and
 *       {@link org.jalign.reward.ScoreLineEncoder} are {@code reward score}'s JSONL line and the
 *       sequence it scores (for the CLI and the Spark job alike).</li>
 *   <li>{@link org.jalign.reward.RewardTraining}: the training run (numbered steps, one config
 *       record), driving {@code RewardTrainer} inside a {@code run.RunDirectory}; its final/ is a
 *       Hugging Face sequence classifier ({@code score.weight} [1, C]) plus
 *       {@code reward_config.json}, written and read by {@code SequenceClassifierFiles}.</li>
 * </ul>
 *
 * <p>Dependencies: {@code lm} (models, LoRA, optimizer, safetensors), {@code data} (JSONL, chat
 * templates), {@code run} (run directories, progress) and {@code sft}'s public encoder.
 */
package org.jalign.reward;
