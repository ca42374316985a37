package org.jalign.dpo;

import ai.djl.ndarray.NDArray;

/**
 * The DPO family's losses: pure functions of per-sequence log-probabilities, no model, no I/O.
 * Every input is (N), one entry per pair (or, for KTO, per example); outputs are per-pair losses
 * (the trainer weights and sums them) and the implicit rewards TRL logs.
 *
 * <p>Notation: π_c, π_r = Σ log π(token) over the chosen / rejected completion's tokens (the
 * prompt's tokens are not scored); ρ_c, ρ_r the same under the reference; n_c, n_r their token
 * counts; h = (π_c − ρ_c) − (π_r − ρ_r); softplus(x) = log(1 + eˣ) = −log σ(−x), computed as
 * max(x, 0) + log(1 + e^(−|x|)) so no sign of x overflows.
 * <ul>
 *   <li>{@link #sigmoid}: DPO (Rafailov et al. 2023, eq. 7) ℓ = −log σ(βh); with label smoothing ε
 *       (conservative DPO, Mitchell 2023; robust DPO's noisy labels, Chowdhury et al. 2024, in its
 *       TRL form) ℓ = −(1 − ε)·log σ(βh) − ε·log σ(−βh). Rewards β(π − ρ).</li>
 *   <li>{@link #ipo}: IPO (Azar et al. 2023, eq. 17) ℓ = (h̄ − 1/(2β))², where h̄ uses log-probs
 *       averaged per token (π/n), as TRL's {@code loss_type="ipo"} does; the paper writes sums.
 *       Rewards β·(π/n − ρ/n), TRL's too.</li>
 *   <li>{@link #hinge}: SLiC-HF's calibration loss (Zhao et al. 2023) on DPO's ratio, TRL's
 *       {@code hinge}: ℓ = max(0, 1 − βh). Rewards β(π − ρ).</li>
 *   <li>{@link #simpo}: SimPO (Meng et al. 2024, eq. 6), reference-free: ℓ = −log σ(β·π_c/n_c −
 *       β·π_r/n_r − γ) (label smoothing as for sigmoid). Rewards β·π/n (TRL's CPOTrainer).</li>
 *   <li>{@link #orpo}: ORPO (Hong et al. 2024, eq. 6–7), reference-free: with a = π/n and
 *       odds(a) = a − log(1 − eᵃ), ℓ = −a_c − λ·log σ(odds(a_c) − odds(a_r)); the NLL is the
 *       chosen completion's mean token NLL (TRL averages over all chosen tokens of the batch, which
 *       weights long completions more). Rewards λ·a (TRL's ORPOTrainer).</li>
 *   <li>{@link #kto}: KTO (Ethayarajh et al. 2024, eq. 8) on unpaired examples: with r = π − ρ
 *       and z the KL baseline, a desirable example costs w_D·(1 − σ(β(r − z))), an undesirable one
 *       w_U·(1 − σ(β(z − r))). Rewards βr. z comes from {@link #ktoKlBaseline}.</li>
 * </ul>
 */
public final class DpoLoss {

    /**
     * Per-pair sequence log-probs and token counts (N). The reference entries may be null for the
     * reference-free losses.
     */
    public record PairLogProbs(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
                               NDArray referenceRejected, NDArray chosenTokens, NDArray rejectedTokens) {
    }

    /** Per-pair losses and implicit rewards, all (N). */
    public record PairOutcome(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {
    }

    /** Per-example losses and implicit rewards (N) of KTO. */
    public record KtoOutcome(NDArray losses, NDArray rewards) {
    }

    private DpoLoss() {
    }

    /** softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)). */
    public static NDArray softplus(NDArray x) {
        return x.maximum(0).add(x.abs().neg().exp().add(1).log());
    }

    /** DPO: −(1 − ε)·log σ(βh) − ε·log σ(−βh). */
    public static PairOutcome sigmoid(PairLogProbs p, double beta, double labelSmoothing) {
        NDArray chosen = p.policyChosen().sub(p.referenceChosen());                                  // (N)
        NDArray rejected = p.policyRejected().sub(p.referenceRejected());                            // (N)
        NDArray logits = chosen.sub(rejected).mul(beta);                                             // βh
        return new PairOutcome(smoothed(logits, labelSmoothing), chosen.mul(beta), rejected.mul(beta));
    }

    /** IPO: (h̄ − 1/(2β))² with per-token averaged log-probs. */
    public static PairOutcome ipo(PairLogProbs p, double beta) {
        NDArray chosen = p.policyChosen().sub(p.referenceChosen()).div(p.chosenTokens());
        NDArray rejected = p.policyRejected().sub(p.referenceRejected()).div(p.rejectedTokens());
        NDArray gap = chosen.sub(rejected).sub(1 / (2 * beta));
        return new PairOutcome(gap.mul(gap), chosen.mul(beta), rejected.mul(beta));
    }

    /** SLiC hinge: max(0, 1 − βh). */
    public static PairOutcome hinge(PairLogProbs p, double beta) {
        NDArray chosen = p.policyChosen().sub(p.referenceChosen());
        NDArray rejected = p.policyRejected().sub(p.referenceRejected());
        NDArray losses = chosen.sub(rejected).mul(-beta).add(1).maximum(0);
        return new PairOutcome(losses, chosen.mul(beta), rejected.mul(beta));
    }

    /** SimPO: −log σ(β·π_c/n_c − β·π_r/n_r − γ) (label-smoothed like {@link #sigmoid}). */
    public static PairOutcome simpo(PairLogProbs p, double beta, double gamma, double labelSmoothing) {
        NDArray chosen = p.policyChosen().div(p.chosenTokens()).mul(beta);
        NDArray rejected = p.policyRejected().div(p.rejectedTokens()).mul(beta);
        return new PairOutcome(smoothed(chosen.sub(rejected).sub(gamma), labelSmoothing), chosen, rejected);
    }

    /** ORPO: −a_c − λ·log σ(odds(a_c) − odds(a_r)), a = π/n, odds(a) = a − log(1 − eᵃ). */
    public static PairOutcome orpo(PairLogProbs p, double lambda) {
        NDArray chosen = p.policyChosen().div(p.chosenTokens());                                     // a_c ≤ 0
        NDArray rejected = p.policyRejected().div(p.rejectedTokens());
        NDArray logOdds = logOdds(chosen).sub(logOdds(rejected));
        NDArray losses = chosen.neg().add(softplus(logOdds.neg()).mul(lambda));
        return new PairOutcome(losses, chosen.mul(lambda), rejected.mul(lambda));
    }

    /**
     * log(p / (1 − p)) for p = eᵃ: a − log(1 − eᵃ). The average log-prob is first held at most
     * {@value #MAX_AVERAGE_LOG_PROB}: a completion the policy predicts with certainty has a = 0 (or
     * a float rounding just below it, where eᵃ rounds to 1), and log(1 − eᵃ) would be −∞.
     */
    static NDArray logOdds(NDArray averageLogProb) {
        NDArray a = averageLogProb.clip(Double.NEGATIVE_INFINITY, MAX_AVERAGE_LOG_PROB);
        return a.sub(a.exp().neg().add(1).log());
    }

    /** The cap on ORPO's average log-prob: 1 − e^(−1e−6) ≈ 1e−6 is still resolved in float32. */
    static final double MAX_AVERAGE_LOG_PROB = -1e-6;

    /**
     * KTO: w_D·(1 − σ(β(r − z))) for a desirable example, w_U·(1 − σ(β(z − r))) for an undesirable
     * one, r = π − ρ.
     *
     * @param desirable  (N) 1 for a thumbs-up, 0 for a thumbs-down
     * @param klBaseline z, a scalar without gradient ({@link #ktoKlBaseline})
     */
    public static KtoOutcome kto(NDArray policy, NDArray reference, NDArray desirable, NDArray klBaseline, double beta,
                                 double desirableWeight, double undesirableWeight) {
        NDArray ratio = policy.sub(reference);                                                       // r (N)
        NDArray up = ratio.sub(klBaseline).mul(beta);                                                // β(r − z)
        // 1 − σ(x) = σ(−x) = e^(−softplus(x))
        NDArray desirableLoss = softplus(up).neg().exp().mul(desirableWeight);
        NDArray undesirableLoss = softplus(up.neg()).neg().exp().mul(undesirableWeight);
        NDArray losses = desirable.mul(desirableLoss).add(desirable.neg().add(1).mul(undesirableLoss));
        return new KtoOutcome(losses, ratio.mul(beta));
    }

    /**
     * KTO's reference point z = max(0, mean(π − ρ)) over mismatched (prompt, completion) pairs of
     * the batch, without gradient (Ethayarajh et al. 2024 §4.2; TRL's KTOTrainer).
     */
    public static NDArray ktoKlBaseline(NDArray mismatchedPolicy, NDArray mismatchedReference) {
        return mismatchedPolicy.sub(mismatchedReference).mean().maximum(0).stopGradient();
    }

    /** −(1 − ε)·log σ(x) − ε·log σ(−x) = (1 − ε)·softplus(−x) + ε·softplus(x). */
    private static NDArray smoothed(NDArray logits, double labelSmoothing) {
        NDArray losses = softplus(logits.neg());
        if (labelSmoothing == 0) {
            return losses;
        }
        return losses.mul(1 - labelSmoothing).add(softplus(logits).mul(labelSmoothing));
    }
}
