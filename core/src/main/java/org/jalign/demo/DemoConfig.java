package org.jalign.demo;

import com.google.gson.JsonObject;

/**
 * The demo's sizes. {@link #standard} is what {@code jalign demo} runs (a few minutes on two
 * cores); {@link #quick} is the same loop at the smallest sizes that still show every effect,
 * for the end-to-end test.
 *
 * @param corpusDocuments     request/reply documents the policy is pretrained on
 * @param vocabSize           BPE vocabulary (the world's words fit in a few hundred tokens)
 * @param pretrainSteps       optimizer steps of pretraining (batch 16 × 64 tokens)
 * @param trainPrompts        prompts the labelers see and PPO trains on
 * @param evalPrompts         held-out prompts of the evaluation
 * @param completionsPerPrompt completions each labeler ranks (N; N-choose-2 pairs)
 * @param carefulLabelers     careful labelers in the panel (one careless one joins them)
 * @param overlap             labelers per prompt
 * @param slipRate            a careful labeler's per-completion chance of misjudging by one point
 * @param rewardEpochs        passes of reward-model training over the pairs
 * @param ppoSteps            PPO steps at most (it stops earlier at the target reward)
 * @param dpoEpochs           passes of DPO over the same pairs
 * @param dpoLearningRate     DPO's (LoRA) learning rate: nothing but β holds DPO's samples near the
 *                            base, so it stays at a quarter (standard) or half (quick, fewer pairs)
 *                            of PPO's 2e-3; at 2e-3 for two epochs the standard run's samples drifted
 *                            ~90 nats per reply from the base into bytes
 * @param maxNewTokens        tokens per completion at most
 */
public record DemoConfig(long seed, int corpusDocuments, int vocabSize, int pretrainSteps, int trainPrompts,
                         int evalPrompts, int completionsPerPrompt, int carefulLabelers, int overlap, double slipRate,
                         int rewardEpochs, int ppoSteps, int dpoEpochs, double dpoLearningRate, int maxNewTokens) {

    public DemoConfig {
        if (corpusDocuments < 10 || pretrainSteps < 1 || trainPrompts < 4 || evalPrompts < 4) {
            throw new IllegalArgumentException("the demo needs at least 10 documents, 1 pretraining step and 4 train "
                    + "and 4 eval prompts");
        }
        if (completionsPerPrompt < 2) {
            throw new IllegalArgumentException("completionsPerPrompt must be >= 2 (labelers rank them), got "
                    + completionsPerPrompt);
        }
        if (carefulLabelers < 2 || overlap < 2 || overlap > carefulLabelers + 1) {
            throw new IllegalArgumentException("the panel needs >= 2 careful labelers and an overlap in [2, panel size], got "
                    + carefulLabelers + " and " + overlap);
        }
        if (!(slipRate >= 0 && slipRate <= 1)) {
            throw new IllegalArgumentException("slipRate must be in [0, 1], got " + slipRate);
        }
        if (!(dpoLearningRate > 0) || Double.isInfinite(dpoLearningRate)) {
            throw new IllegalArgumentException("dpoLearningRate must be > 0, got " + dpoLearningRate);
        }
        if (rewardEpochs < 1 || ppoSteps < 1 || dpoEpochs < 1 || maxNewTokens < 4) {
            throw new IllegalArgumentException("rewardEpochs, ppoSteps and dpoEpochs must be >= 1 and maxNewTokens >= 4");
        }
    }

    /** What {@code jalign demo} runs. */
    public static DemoConfig standard(long seed) {
        return new DemoConfig(seed, 3000, 400, 400, 96, 48, 4, 4, 5, 0.1, 2, 40, 2, 5e-4, 48);
    }

    /** The smallest sizes that still show the whole effect, for tests. */
    public static DemoConfig quick(long seed) {
        return new DemoConfig(seed, 2000, 400, 300, 48, 24, 4, 4, 5, 0.1, 2, 25, 2, 1e-3, 40);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("seed", seed);
        o.addProperty("corpusDocuments", corpusDocuments);
        o.addProperty("vocabSize", vocabSize);
        o.addProperty("pretrainSteps", pretrainSteps);
        o.addProperty("trainPrompts", trainPrompts);
        o.addProperty("evalPrompts", evalPrompts);
        o.addProperty("completionsPerPrompt", completionsPerPrompt);
        o.addProperty("carefulLabelers", carefulLabelers);
        o.addProperty("overlap", overlap);
        o.addProperty("slipRate", slipRate);
        o.addProperty("rewardEpochs", rewardEpochs);
        o.addProperty("ppoSteps", ppoSteps);
        o.addProperty("dpoEpochs", dpoEpochs);
        o.addProperty("dpoLearningRate", dpoLearningRate);
        o.addProperty("maxNewTokens", maxNewTokens);
        return o;
    }
}
