package org.jalign.lm;

/**
 * RoPE frequency scaling from config.json's {@code rope_scaling}.
 *
 * <p>{@code NONE} keeps the plain frequencies θ^(−2i/d); {@code LINEAR} divides every frequency by
 * {@code factor} (position interpolation, Chen et al. 2023); {@code LLAMA3} is Llama 3.1's
 * piecewise rule: wavelengths above {@code originalMaxPositions/lowFreqFactor} are divided by
 * {@code factor}, those below {@code originalMaxPositions/highFreqFactor} are kept, and the band
 * between is interpolated smoothly (as in Meta's reference {@code apply_scaling}).
 */
public record RopeScaling(Kind kind, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {

    public enum Kind { NONE, LINEAR, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 1, 1, 1, 0);

    public RopeScaling {
        if (kind == null) {
            throw new IllegalArgumentException("rope_scaling kind must not be null");
        }
        if (kind != Kind.NONE && !(factor > 0)) {
            throw new IllegalArgumentException("rope_scaling.factor must be > 0, got " + factor);
        }
        if (kind == Kind.LLAMA3) {
            if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)) {
                throw new IllegalArgumentException("rope_scaling needs 0 < low_freq_factor < high_freq_factor, got "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalMaxPositions <= 0) {
                throw new IllegalArgumentException(
                        "rope_scaling.original_max_position_embeddings must be > 0, got " + originalMaxPositions);
            }
        }
    }

    /**
     * The inverse frequencies for a head of size {@code headDim}: inv_freq[i] = θ^(−2i/headDim),
     * then scaled by this rule. Length headDim/2.
     */
    public double[] inverseFrequencies(int headDim, double theta) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            double f = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            inv[i] = switch (kind) {
                case NONE -> f;
                case LINEAR -> f / factor;
                case LLAMA3 -> llama3(f);
            };
        }
        return inv;
    }

    private double llama3(double freq) {
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        double wavelen = 2 * Math.PI / freq;
        if (wavelen < highFreqWavelen) {
            return freq;
        }
        if (wavelen > lowFreqWavelen) {
            return freq / factor;
        }
        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * freq / factor + smooth * freq;
    }
}
