package org.jalign.lm.optim;

/**
 * AdamW hyper-parameters (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization",
 * Algorithm 2), validated on construction.
 *
 * <p>Where the defaults come from:
 * <ul>
 *   <li>β1 = 0.9, β2 = 0.999, ε = 1e-8: Kingma &amp; Ba 2015 (Adam, Algorithm 1), kept by
 *       {@code torch.optim.AdamW} and by Hugging Face {@code TrainingArguments}
 *       ({@code adam_beta1}, {@code adam_beta2}, {@code adam_epsilon}).</li>
 *   <li>weight decay 0.01: {@code torch.optim.AdamW}'s default; Hugging Face
 *       {@code TrainingArguments} defaults to 0.0.</li>
 *   <li>ε = 1e-5 and no weight decay for RLHF: OpenAI's lm-human-preferences (Ziegler et al.
 *       2019) and "The N Implementation Details of RLHF with PPO" (Huang et al. 2023) use Adam
 *       with ε = 1e-5; with ε = 1e-8 the update of rarely-touched weights can blow up when
 *       √v̂ is tiny. See {@link #rlhf(double)}.</li>
 * </ul>
 *
 * @param learningRate the peak learning rate; a {@link LearningRateSchedule} scales it per step
 * @param beta1        decay rate of the first moment (the gradient's running mean), in [0, 1)
 * @param beta2        decay rate of the second moment (the squared gradient's running mean), in [0, 1)
 * @param epsilon      added to √v̂ in the denominator, &gt; 0
 * @param weightDecay  decoupled decay per unit learning rate: p ← p − lr·weightDecay·p, ≥ 0;
 *                     applied only to parameters marked for decay
 *                     ({@link TrainableParameter#decay()})
 */
public record AdamWConfig(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {

    public AdamWConfig {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("adamw.learningRate must be a finite number > 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("adamw.beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adamw.beta2 must be in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException(
                    "adamw.epsilon must be a finite number > 0 (1e-8 is PyTorch's default, 1e-5 the RLHF papers'), got "
                            + epsilon);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("adamw.weightDecay must be a finite number >= 0 (0 = off), got " + weightDecay);
        }
    }

    /** {@code torch.optim.AdamW}'s defaults: lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0.01. */
    public static AdamWConfig torchDefaults() {
        return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * The RLHF papers' setting: β = (0.9, 0.999), ε = 1e-5, no weight decay (lm-human-preferences
     * trains with plain Adam; TRL's trainers inherit {@code TrainingArguments.weight_decay = 0}).
     */
    public static AdamWConfig rlhf(double learningRate) {
        return new AdamWConfig(learningRate, 0.9, 0.999, 1e-5, 0.0);
    }

    public AdamWConfig withLearningRate(double value) {
        return new AdamWConfig(value, beta1, beta2, epsilon, weightDecay);
    }

    public AdamWConfig withBetas(double firstMoment, double secondMoment) {
        return new AdamWConfig(learningRate, firstMoment, secondMoment, epsilon, weightDecay);
    }

    public AdamWConfig withEpsilon(double value) {
        return new AdamWConfig(learningRate, beta1, beta2, value, weightDecay);
    }

    public AdamWConfig withWeightDecay(double value) {
        return new AdamWConfig(learningRate, beta1, beta2, epsilon, value);
    }
}
