package org.jalign.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * The PPO objective on one minibatch of response tokens (Schulman et al. 2017 eq. 7 and 9; the
 * value clipping of OpenAI baselines; TRL {@code PPOTrainer.loss}), every term a masked mean over
 * the real tokens:
 *
 * <pre>
 *   ρ       = exp(log π − log π_old)
 *   L_pg    = mean max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε))
 *   L_v     = ½·mean max((V − R)², (clip(V, V_old − ε_v, V_old + ε_v) − R)²)
 *   L       = L_pg + c_v·L_v − c_H·mean H
 * </pre>
 *
 * plus the statistics PPO is watched by: approx-KL ½·mean (log π − log π_old)² (TRL's), the clip
 * fractions and the mean ratio. All inputs are (B, R) and response-aligned; {@code mask} is 1 on
 * real tokens. Masked positions are replaced by 0 before any operation, so a sentinel there (NaN,
 * ±∞) reaches neither the loss nor its gradient.
 */
public final class PpoLoss {
    private PpoLoss() {
    }

    /** Scalars (0-d arrays); {@code loss} carries the gradient. */
    public record Terms(NDArray loss, NDArray policyLoss, NDArray valueLoss, NDArray entropy, NDArray approxKl,
                        NDArray clipFraction, NDArray valueClipFraction, NDArray ratioMean, NDArray ratioMaxDeviation) {
    }

    /** The coefficients: ε, ε_v, c_v, c_H. */
    public record Coefficients(double clipRange, double clipRangeValue, double valueCoefficient,
                               double entropyCoefficient) {
    }

    public static Terms compute(NDArray logProbs, NDArray oldLogProbs, NDArray advantages, NDArray values,
                                NDArray oldValues, NDArray returns, NDArray entropy, NDArray mask, Coefficients c) {
        NDArray valid = mask.gt(0);
        NDArray count = mask.sum();
        NDArray newLog = clean(logProbs, valid);
        NDArray oldLog = clean(oldLogProbs, valid);
        NDArray a = clean(advantages, valid);
        NDArray v = clean(values, valid);
        NDArray vOld = clean(oldValues, valid);
        NDArray r = clean(returns, valid);
        NDArray h = clean(entropy, valid);
        NDArray m = mask.toType(DataType.FLOAT32, false);

        NDArray logRatio = newLog.sub(oldLog);
        NDArray ratio = logRatio.exp();                                                    // (B, R)
        NDArray unclipped = a.neg().mul(ratio);
        NDArray clipped = a.neg().mul(ratio.clip(1 - c.clipRange(), 1 + c.clipRange()));
        NDArray policyLoss = mean(unclipped.maximum(clipped), m, count);

        NDArray vClipped = vOld.add(v.sub(vOld).clip(-c.clipRangeValue(), c.clipRangeValue()));
        NDArray valueErrors = v.sub(r).square();
        NDArray valueErrorsClipped = vClipped.sub(r).square();
        NDArray valueLoss = mean(valueErrors.maximum(valueErrorsClipped), m, count).mul(0.5f);

        NDArray meanEntropy = mean(h, m, count);
        NDArray loss = policyLoss.add(valueLoss.mul((float) c.valueCoefficient()))
                .sub(meanEntropy.mul((float) c.entropyCoefficient()));

        NDArray approxKl = mean(logRatio.square(), m, count).mul(0.5f);
        NDArray clipFraction = mean(clipped.gt(unclipped).toType(DataType.FLOAT32, false), m, count);
        NDArray valueClipFraction = mean(valueErrorsClipped.gt(valueErrors).toType(DataType.FLOAT32, false), m, count);
        NDArray ratioMean = mean(ratio, m, count);
        NDArray ratioMaxDeviation = ratio.sub(1f).abs().mul(m).max();
        return new Terms(loss, policyLoss, valueLoss, meanEntropy, approxKl.stopGradient(), clipFraction.stopGradient(),
                valueClipFraction.stopGradient(), ratioMean.stopGradient(), ratioMaxDeviation.stopGradient());
    }

    /** x where valid, 0 elsewhere: built with where, not a product, since NaN·0 is NaN. */
    private static NDArray clean(NDArray x, NDArray valid) {
        return NDArrays.where(valid, x, x.zerosLike());
    }

    private static NDArray mean(NDArray x, NDArray mask, NDArray count) {
        return x.mul(mask).sum().div(count);
    }
}
