package org.jalign.ppo;

import com.google.gson.JsonObject;

/**
 * Every PPO hyper-parameter, validated with messages that name the CLI option. {@link #defaults()}
 * holds the defaults in one place; where each comes from:
 * <ul>
 *   <li>γ = 1, λ = 0.95, ε = 0.2, ε_v = 0.2, 4 PPO epochs, β₀ = 0.2, target KL 6 and horizon
 *       10000: TRL {@code PPOConfig} (after lm-human-preferences, Ziegler et al. 2019);</li>
 *   <li>c_v = 0.1: TRL {@code vf_coef}; c_H = 0: neither TRL nor OpenRLHF adds an entropy bonus;</li>
 *   <li>learning rate 1.41e-5: TRL's {@code PPOConfig}; Adam ε = 1e-5 and gradient clipping at
 *       1.0: "The N implementation details of RLHF with PPO" (Huang et al. 2022);</li>
 *   <li>temperature 0.7: lm-human-preferences' sampling temperature (Huang et al.); top-k off,
 *       top-p 1: sample from the whole (tempered) distribution, as PPO's log-probs assume;</li>
 *   <li>missing-EOS score off (TRL's {@code missing_eos_penalty} default None; Huang et al. use
 *       −1 with a fixed response length);</li>
 *   <li>batch 8 prompts × 1 sample, minibatches of 8, 64 new tokens: sized for CPU.</li>
 * </ul>
 *
 * @param steps              PPO steps (rollout + update), at most
 * @param targetReward       stop once the mean score of the last {@code rewardWindow} steps reaches it (NaN = off)
 * @param batchSize          prompts per step
 * @param numReturnSequences completions per prompt
 * @param miniBatchSize      completions per optimizer step
 * @param targetKl           adaptive controller's target (NaN = fixed β)
 * @param missingEosScore    the score given to a completion that hit the token limit without EOS (NaN = off)
 * @param scoreClip          scores clipped to [−scoreClip, scoreClip] (NaN = off; OpenRLHF clips to ±10)
 * @param whitenRewards      whiten the shaped rewards without shifting their mean (off by default)
 */
public record PpoConfig(long steps, double targetReward, int rewardWindow, int batchSize, int numReturnSequences,
                        int miniBatchSize, int ppoEpochs, double learningRate, double adamEpsilon, double maxGradNorm,
                        double initKlCoefficient, double targetKl, double klHorizon, double gamma, double lambda,
                        double clipRange, double clipRangeValue, double valueCoefficient, double entropyCoefficient,
                        int maxNewTokens, double temperature, int topK, double topP, double missingEosScore,
                        double scoreClip, boolean whitenRewards, long seed) {

    public PpoConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        if (rewardWindow < 1) {
            throw new IllegalArgumentException("--reward-window must be >= 1, got " + rewardWindow);
        }
        if (batchSize < 1 || numReturnSequences < 1 || miniBatchSize < 1 || ppoEpochs < 1) {
            throw new IllegalArgumentException("--batch-size, --num-return-sequences, --mini-batch-size and --ppo-epochs "
                    + "must be >= 1, got " + batchSize + ", " + numReturnSequences + ", " + miniBatchSize + ", " + ppoEpochs);
        }
        if (miniBatchSize > batchSize * numReturnSequences) {
            throw new IllegalArgumentException("--mini-batch-size " + miniBatchSize + " exceeds the completions per step ("
                    + batchSize + " prompts × " + numReturnSequences + ")");
        }
        positive("--lr", learningRate);
        positive("--adam-epsilon", adamEpsilon);
        positive("--max-grad-norm", maxGradNorm);
        if (!(initKlCoefficient >= 0) || Double.isInfinite(initKlCoefficient)) {
            throw new IllegalArgumentException("--init-kl-coef must be >= 0, got " + initKlCoefficient);
        }
        if (!Double.isNaN(targetKl)) {
            positive("--target-kl", targetKl);
            positive("--kl-horizon", klHorizon);
            if (initKlCoefficient == 0) {
                throw new IllegalArgumentException("--target-kl needs --init-kl-coef > 0 (an adaptive β of 0 stays 0)");
            }
        }
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("--gamma must be in [0, 1], got " + gamma);
        }
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("--lam must be in [0, 1], got " + lambda);
        }
        if (!(clipRange > 0 && clipRange < 1)) {
            throw new IllegalArgumentException("--cliprange must be in (0, 1), got " + clipRange);
        }
        positive("--cliprange-value", clipRangeValue);
        if (!(valueCoefficient >= 0) || Double.isInfinite(valueCoefficient)) {
            throw new IllegalArgumentException("--vf-coef must be >= 0, got " + valueCoefficient);
        }
        if (!(entropyCoefficient >= 0) || Double.isInfinite(entropyCoefficient)) {
            throw new IllegalArgumentException("--ent-coef must be >= 0, got " + entropyCoefficient);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        positive("--temperature", temperature);
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        }
        if (Double.isInfinite(missingEosScore)) {
            throw new IllegalArgumentException("--missing-eos-penalty must be finite, got " + missingEosScore);
        }
        if (!Double.isNaN(scoreClip)) {
            positive("--score-clip", scoreClip);
        }
        if (!Double.isNaN(targetReward) && Double.isInfinite(targetReward)) {
            throw new IllegalArgumentException("--target-reward must be finite, got " + targetReward);
        }
    }

    private static void positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
    }

    /** The defaults (see the class comment for their sources). */
    public static PpoConfig defaults() {
        return new PpoConfig(100, Double.NaN, 10, 8, 1, 8, 4, 1.41e-5, 1e-5, 1.0, 0.2, 6.0, 10000, 1.0, 0.95, 0.2, 0.2,
                0.1, 0.0, 64, 0.7, 0, 1.0, Double.NaN, Double.NaN, false, 42);
    }

    /** The KL controller this config starts with: adaptive when a target is set, else fixed. */
    public KlController klController() {
        return Double.isNaN(targetKl) ? new KlController.Fixed(initKlCoefficient)
                : new KlController.Adaptive(initKlCoefficient, targetKl, klHorizon);
    }

    public PpoLoss.Coefficients lossCoefficients() {
        return new PpoLoss.Coefficients(clipRange, clipRangeValue, valueCoefficient, entropyCoefficient);
    }

    public PpoConfig withSteps(long n) {
        return new PpoConfig(n, targetReward, rewardWindow, batchSize, numReturnSequences, miniBatchSize, ppoEpochs,
                learningRate, adamEpsilon, maxGradNorm, initKlCoefficient, targetKl, klHorizon, gamma, lambda, clipRange,
                clipRangeValue, valueCoefficient, entropyCoefficient, maxNewTokens, temperature, topK, topP,
                missingEosScore, scoreClip, whitenRewards, seed);
    }

    public PpoConfig withKl(double initKl, double target) {
        return new PpoConfig(steps, targetReward, rewardWindow, batchSize, numReturnSequences, miniBatchSize, ppoEpochs,
                learningRate, adamEpsilon, maxGradNorm, initKl, target, klHorizon, gamma, lambda, clipRange,
                clipRangeValue, valueCoefficient, entropyCoefficient, maxNewTokens, temperature, topK, topP,
                missingEosScore, scoreClip, whitenRewards, seed);
    }

    /** Every field for the manifest (NaN written as null: "off"). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        for (java.lang.reflect.RecordComponent c : PpoConfig.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(this);
                if (v instanceof Double d && d.isNaN()) {
                    o.add(c.getName(), com.google.gson.JsonNull.INSTANCE);
                } else if (v instanceof Number n) {
                    o.addProperty(c.getName(), n);
                } else {
                    o.addProperty(c.getName(), (Boolean) v);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return o;
    }
}
