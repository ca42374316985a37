package org.jalign.lm.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Global-norm gradient clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_}
 * (Pascanu et al. 2013, "On the difficulty of training recurrent neural networks", §3.2).
 */
public final class GradientClipping {

    /** Added to the norm before dividing, as in PyTorch, so an all-zero gradient never divides by 0. */
    static final double NORM_EPSILON = 1e-6;

    private GradientClipping() {
    }

    /**
     * Scales all gradients together, in place, so that their global L2 norm is at most about
     * {@code maxNorm}.
     *
     * <ol>
     *   <li>norm = √(Σ_i ‖g_i‖²) over all elements of all gradients (each ‖g_i‖ computed in the
     *       gradient's own dtype, as PyTorch does, and combined in double);</li>
     *   <li>coefficient = maxNorm / (norm + 1e-6);</li>
     *   <li>only when coefficient &lt; 1: g_i ← coefficient·g_i.</li>
     * </ol>
     *
     * A non-finite norm (an inf or NaN gradient) is returned without touching the gradients:
     * scaling by 0 or NaN would hide the problem, so the caller should skip the optimizer step
     * and log it.
     *
     * @param gradients the gradients (e.g. {@link AdamW#clipGradientNorm}), updated in place;
     *                  every temporary array is closed before returning
     * @param maxNorm   the largest allowed global norm, &gt; 0 (1.0 in the RLHF papers)
     * @return the global norm before clipping (log it as {@code grad_norm}); 0 for no gradients
     */
    public static double clipByGlobalNorm(List<NDArray> gradients, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be a finite number > 0, got " + maxNorm);
        }
        if (gradients.isEmpty()) {
            return 0.0;
        }
        // Every op below creates its result on the gradient's manager; attaching each gradient to a
        // scratch manager for the duration puts those results there, and closing it frees them.
        try (NDManager scratch = gradients.get(0).getManager().newSubManager()) {
            for (NDArray gradient : gradients) {
                gradient.tempAttach(scratch);
            }
            double sumOfSquares = 0;
            for (NDArray gradient : gradients) {
                double norm = gradient.norm().toType(DataType.FLOAT64, false).getDouble();
                sumOfSquares += norm * norm;
            }
            double totalNorm = Math.sqrt(sumOfSquares);
            if (!Double.isFinite(totalNorm)) {
                return totalNorm;
            }
            double coefficient = maxNorm / (totalNorm + NORM_EPSILON);
            if (coefficient < 1) {
                for (NDArray gradient : gradients) {
                    gradient.muli(coefficient);
                }
            }
            return totalNorm;
        }
    }
}
