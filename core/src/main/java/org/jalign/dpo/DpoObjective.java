package org.jalign.dpo;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;

/**
 * A chosen loss with its parameters, validated: the one place the {@code --loss} choice turns
 * into a {@link DpoLoss} function.
 *
 * @param beta              β (sigmoid, ipo, hinge, simpo, kto); unused by orpo
 * @param labelSmoothing    ε ∈ [0, 0.5) for sigmoid and simpo (TRL's {@code label_smoothing}, default 0)
 * @param simpoGamma        SimPO's target margin γ (TRL's {@code simpo_gamma} default 0.5)
 * @param orpoLambda        ORPO's λ (Hong et al. 2024 use 0.1 for most runs; TRL's {@code beta} 0.1)
 * @param desirableWeight   KTO's λ_D (TRL default 1)
 * @param undesirableWeight KTO's λ_U (TRL default 1)
 */
public record DpoObjective(DpoLossType type, double beta, double labelSmoothing, double simpoGamma, double orpoLambda,
                           double desirableWeight, double undesirableWeight) {

    public DpoObjective {
        if (type == null) {
            throw new IllegalArgumentException("a --loss is needed");
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("--beta must be > 0, got " + beta);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("--label-smoothing must be in [0, 0.5), got " + labelSmoothing);
        }
        if (labelSmoothing > 0 && type != DpoLossType.SIGMOID && type != DpoLossType.SIMPO) {
            throw new IllegalArgumentException("--label-smoothing applies to --loss sigmoid and simpo, not " + type.cliName());
        }
        if (!(simpoGamma >= 0) || Double.isInfinite(simpoGamma)) {
            throw new IllegalArgumentException("--simpo-gamma must be >= 0, got " + simpoGamma);
        }
        if (!(orpoLambda > 0) || Double.isInfinite(orpoLambda)) {
            throw new IllegalArgumentException("--orpo-lambda must be > 0, got " + orpoLambda);
        }
        if (!(desirableWeight > 0) || !(undesirableWeight > 0)) {
            throw new IllegalArgumentException("KTO's desirable and undesirable weights must be > 0, got "
                    + desirableWeight + " and " + undesirableWeight);
        }
    }

    /** {@code type} with its sources' defaults: β from {@link DpoLossType#defaultBeta}, ε 0, γ 0.5, λ 0.1, weights 1. */
    public static DpoObjective defaults(DpoLossType type) {
        return new DpoObjective(type, type.defaultBeta(), 0, 0.5, 0.1, 1, 1);
    }

    public DpoObjective withBeta(double value) {
        return new DpoObjective(type, value, labelSmoothing, simpoGamma, orpoLambda, desirableWeight, undesirableWeight);
    }

    /** A paired loss on one batch of pairs. */
    public DpoLoss.PairOutcome pairs(DpoLoss.PairLogProbs p) {
        return switch (type) {
            case SIGMOID -> DpoLoss.sigmoid(p, beta, labelSmoothing);
            case IPO -> DpoLoss.ipo(p, beta);
            case HINGE -> DpoLoss.hinge(p, beta);
            case SIMPO -> DpoLoss.simpo(p, beta, simpoGamma, labelSmoothing);
            case ORPO -> DpoLoss.orpo(p, orpoLambda);
            case KTO -> throw new IllegalStateException("kto is unpaired");
        };
    }

    /** KTO on one batch. */
    public DpoLoss.KtoOutcome kto(NDArray policy, NDArray reference, NDArray desirable, NDArray klBaseline) {
        return DpoLoss.kto(policy, reference, desirable, klBaseline, beta, desirableWeight, undesirableWeight);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("loss", type.cliName());
        o.addProperty("beta", beta);
        o.addProperty("labelSmoothing", labelSmoothing);
        o.addProperty("simpoGamma", simpoGamma);
        o.addProperty("orpoLambda", orpoLambda);
        o.addProperty("desirableWeight", desirableWeight);
        o.addProperty("undesirableWeight", undesirableWeight);
        return o;
    }
}
