package org.jalign.spark;

import com.google.gson.JsonObject;
import org.jalign.reward.ClassifierReward;

import java.io.Serializable;

/**
 * What the {@code score} job ships to its executors, as {@code jalign reward score} takes it.
 *
 * @param rewardModel a {@code reward train} output (normalised rewards) rather than a classifier;
 *                    decided on the driver by the CLI's rule: no {@code --label}/{@code --reward}
 *                    and a {@code reward_config.json} or {@code adapter_config.json} in the directory
 * @param label       the classifier's class (name or index), or null for class 0
 * @param mode        how a classifier's class becomes a reward
 * @param raw         a reward model's raw output, without its stored normalisation
 */
record ScoreSettings(String model, boolean rewardModel, String label, ClassifierReward.Mode mode, boolean raw,
                     int batchSize) implements Serializable {

    ScoreSettings {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be a directory path, got \"" + model + "\"");
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode must be set (LOGIT is the CLI's default)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (raw && !rewardModel) {
            throw new IllegalArgumentException("raw applies to a reward model (a reward train output) without a label or reward mode");
        }
    }

    /** The options as the manifest records them. */
    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("kind", rewardModel ? "reward-model" : "classifier");
        o.addProperty("label", label);
        o.addProperty("reward", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        o.addProperty("raw", raw);
        o.addProperty("batch_size", batchSize);
        return o;
    }
}
