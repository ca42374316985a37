package org.jalign.ppo;

/**
 * The KL coefficient β of the shaped reward and how it changes after each PPO step: fixed, or
 * adapted toward a target KL (Ziegler et al. 2019, §2.2). Immutable: {@link #update} returns the
 * controller for the next step, so a checkpoint holds one number per controller.
 */
public sealed interface KlController permits KlController.Fixed, KlController.Adaptive {

    /** β for the current step. */
    double coefficient();

    /**
     * @param observedKl the step's mean KL per response (k1 summed over tokens)
     * @param samples    responses in the step (Ziegler et al.'s n_steps; TRL passes its batch size)
     */
    KlController update(double observedKl, long samples);

    /** The same controller at β = {@code coefficient} (restoring a checkpoint). */
    KlController withCoefficient(double coefficient);

    /** β stays constant. */
    record Fixed(double coefficient) implements KlController {
        public Fixed {
            if (!(coefficient >= 0) || Double.isInfinite(coefficient)) {
                throw new IllegalArgumentException("KL coefficient must be >= 0, got " + coefficient);
            }
        }

        @Override
        public KlController update(double observedKl, long samples) {
            return this;
        }

        @Override
        public KlController withCoefficient(double beta) {
            return new Fixed(beta);
        }
    }

    /**
     * Ziegler et al. 2019 eq. (2.2) (lm-human-preferences {@code AdaptiveKLController}, TRL's):
     * e = clip(KL / target − 1, −0.2, 0.2); β ← β·(1 + e·n / horizon).
     */
    record Adaptive(double coefficient, double target, double horizon) implements KlController {
        public Adaptive {
            if (!(coefficient > 0) || Double.isInfinite(coefficient)) {
                throw new IllegalArgumentException("initial KL coefficient must be > 0 for an adaptive controller, got "
                        + coefficient);
            }
            if (!(target > 0) || Double.isInfinite(target)) {
                throw new IllegalArgumentException("target KL must be > 0, got " + target);
            }
            if (!(horizon > 0) || Double.isInfinite(horizon)) {
                throw new IllegalArgumentException("KL horizon must be > 0, got " + horizon);
            }
        }

        @Override
        public KlController update(double observedKl, long samples) {
            double error = Math.max(-0.2, Math.min(0.2, observedKl / target - 1));
            return new Adaptive(coefficient * (1 + error * samples / horizon), target, horizon);
        }

        @Override
        public KlController withCoefficient(double beta) {
            return new Adaptive(beta, target, horizon);
        }
    }
}
