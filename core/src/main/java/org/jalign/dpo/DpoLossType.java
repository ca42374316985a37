package org.jalign.dpo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The objectives {@code jalign dpo --loss} offers; the formulas are in {@link DpoLoss}.
 * Each default β is its source's: TRL's {@code DPOConfig.beta = 0.1} for sigmoid, IPO and hinge
 * (Rafailov et al. 2023 use 0.1 too); SimPO's paper recommends β ∈ [2, 2.5] (Meng et al. 2024,
 * §4), so 2.0; ORPO's λ = 0.1 (TRL's {@code ORPOConfig.beta}, Hong et al. 2024 §6); KTO's 0.1
 * (TRL's {@code KTOConfig.beta}).
 */
public enum DpoLossType {
    /** DPO (Rafailov et al. 2023, eq. 7), with label smoothing = conservative DPO (Mitchell 2023). */
    SIGMOID(true, true, 0.1),
    /** IPO (Azar et al. 2023, eq. 17), log-ratios averaged per token as TRL does. */
    IPO(true, true, 0.1),
    /** SLiC's hinge (Zhao et al. 2023) on the DPO log-ratio difference, as TRL's {@code hinge}. */
    HINGE(true, true, 0.1),
    /** SimPO (Meng et al. 2024, eq. 6): reference-free, length-normalised, target margin γ. */
    SIMPO(false, true, 2.0),
    /** ORPO (Hong et al. 2024, eq. 6–7): NLL on chosen + λ·odds-ratio term; reference-free. */
    ORPO(false, true, 0.1),
    /** KTO (Ethayarajh et al. 2024, eq. 8) on unpaired thumbs data. */
    KTO(true, false, 0.1);

    private final boolean usesReference;
    private final boolean paired;
    private final double defaultBeta;

    DpoLossType(boolean usesReference, boolean paired, double defaultBeta) {
        this.usesReference = usesReference;
        this.paired = paired;
        this.defaultBeta = defaultBeta;
    }

    /** Whether the loss reads reference log-probs (SimPO and ORPO do not). */
    public boolean usesReference() {
        return usesReference;
    }

    /** Pairs data (prompt, chosen, rejected), or unpaired (prompt, completion, label) for KTO. */
    public boolean paired() {
        return paired;
    }

    /** β (λ for ORPO) when {@code --beta} is not given. */
    public double defaultBeta() {
        return defaultBeta;
    }

    /** The lower-case name the CLI and the manifest use. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code name} (case-insensitive), or an error listing the choices. */
    public static DpoLossType parse(String name) {
        for (DpoLossType t : values()) {
            if (t.cliName().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("--loss must be one of " + Arrays.stream(values()).map(DpoLossType::cliName)
                .collect(Collectors.joining(", ")) + "; got \"" + name + "\"");
    }
}
