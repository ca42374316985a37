package org.jalign.dpo;

import com.google.gson.JsonObject;

/**
 * Sums behind the metrics TRL's DPOTrainer logs, under its names: {@code rewards/chosen},
 * {@code rewards/rejected} (mean implicit rewards), {@code rewards/accuracies} (share of pairs
 * whose chosen reward is strictly higher), {@code rewards/margins} (mean chosen − rejected),
 * {@code logps/chosen}, {@code logps/rejected} (mean Σ log π over completion tokens); for KTO,
 * chosen = desirable and rejected = undesirable examples (TRL's KTOTrainer), accuracies are not
 * defined, and {@code kl} is the mean baseline z. {@code loss} is the mean loss per example.
 */
final class DpoMetrics {
    private double loss;
    private int examples;
    private double chosenRewards;
    private int chosen;
    private double rejectedRewards;
    private int rejected;
    private double chosenLogProbs;
    private double rejectedLogProbs;
    private int correct;
    private int pairs;
    private double kl;
    private int klBatches;

    void addPairs(float[] losses, float[] chosenReward, float[] rejectedReward, float[] chosenLogp, float[] rejectedLogp) {
        for (int i = 0; i < losses.length; i++) {
            loss += losses[i];
            chosenRewards += chosenReward[i];
            rejectedRewards += rejectedReward[i];
            chosenLogProbs += chosenLogp[i];
            rejectedLogProbs += rejectedLogp[i];
            correct += chosenReward[i] > rejectedReward[i] ? 1 : 0;
        }
        examples += losses.length;
        chosen += losses.length;
        rejected += losses.length;
        pairs += losses.length;
    }

    void addUnpaired(float[] losses, float[] rewards, float[] logps, float[] desirable, float klBaseline) {
        for (int i = 0; i < losses.length; i++) {
            loss += losses[i];
            if (desirable[i] > 0) {
                chosenRewards += rewards[i];
                chosenLogProbs += logps[i];
                chosen++;
            } else {
                rejectedRewards += rewards[i];
                rejectedLogProbs += logps[i];
                rejected++;
            }
        }
        examples += losses.length;
        kl += klBaseline;
        klBatches++;
    }

    double loss() {
        return loss / examples;
    }

    /** NaN without pairs (KTO). */
    double accuracy() {
        return pairs == 0 ? Double.NaN : (double) correct / pairs;
    }

    double margin() {
        return chosenRewards / chosen - rejectedRewards / rejected;
    }

    double chosenLogProbs() {
        return chosenLogProbs / chosen;
    }

    double rejectedLogProbs() {
        return rejectedLogProbs / rejected;
    }

    /** The metrics into {@code line}, each name with {@code prefix} ("" or "eval_"); undefined ones left out. */
    void writeTo(JsonObject line, String prefix) {
        line.addProperty(prefix + "loss", loss());
        put(line, prefix + "rewards/chosen", chosenRewards / chosen);
        put(line, prefix + "rewards/rejected", rejectedRewards / rejected);
        put(line, prefix + "rewards/accuracies", accuracy());
        put(line, prefix + "rewards/margins", margin());
        put(line, prefix + "logps/chosen", chosenLogProbs());
        put(line, prefix + "logps/rejected", rejectedLogProbs());
        if (klBatches > 0) {
            line.addProperty(prefix + "kl", kl / klBatches);
        }
    }

    private static void put(JsonObject line, String name, double value) {
        if (Double.isFinite(value)) {
            line.addProperty(name, value);
        }
    }
}
