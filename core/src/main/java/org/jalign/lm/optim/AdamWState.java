package org.jalign.lm.optim;

import java.util.Map;

/**
 * Everything AdamW carries between steps, as plain arrays for a checkpoint: the step count t
 * (which sets the bias corrections) and both moments of every parameter, by parameter name.
 * Restoring it with {@link AdamW#importState} continues a run bit-exactly; losing it (the
 * "resumed with fresh optimizer state" bug) restarts the bias correction and spikes the update.
 *
 * <p>Names follow {@code torch.optim.AdamW.state_dict()}: {@code exp_avg} is the first moment m,
 * {@code exp_avg_sq} the second moment v. The float arrays are row-major copies taken at export
 * and are not copied again here, so do not mutate them while the state is in use.
 *
 * @param step          optimizer steps taken so far (t), ≥ 0
 * @param firstMoments  parameter name → m (exp_avg)
 * @param secondMoments parameter name → v (exp_avg_sq); same names as {@code firstMoments}
 */
public record AdamWState(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {

    public AdamWState {
        if (step < 0) {
            throw new IllegalArgumentException("adamw state step must be >= 0, got " + step);
        }
        firstMoments = Map.copyOf(firstMoments);
        secondMoments = Map.copyOf(secondMoments);
        if (!firstMoments.keySet().equals(secondMoments.keySet())) {
            throw new IllegalArgumentException("adamw state must hold both moments for the same parameters; exp_avg has "
                    + new java.util.TreeSet<>(firstMoments.keySet()) + ", exp_avg_sq has "
                    + new java.util.TreeSet<>(secondMoments.keySet()));
        }
        for (Map.Entry<String, float[]> entry : firstMoments.entrySet()) {
            int firstLength = entry.getValue().length;
            int secondLength = secondMoments.get(entry.getKey()).length;
            if (firstLength != secondLength) {
                throw new IllegalArgumentException("adamw state for '" + entry.getKey() + "' has exp_avg of "
                        + firstLength + " values but exp_avg_sq of " + secondLength);
            }
        }
    }
}
