package org.jalign.sft;

/**
 * How SFT data becomes rows.
 *
 * @param maxLength    the most tokens in a row; longer examples lose their oldest prompt tokens,
 *                     or are dropped when even the reply does not fit. Default 1024, TRL's
 *                     {@code SFTConfig.max_length}
 * @param packing      pack several examples into one row of up to {@code maxLength} tokens
 *                     ({@link SftPacking}). Default off, as in TRL
 * @param evalFraction the share of examples held out for evaluation, in [0, 1). Default 0.1
 * @param seed         the seed of the train/eval split. Default 42, the seed transformers' and
 *                     TRL's configs default to
 */
public record SftDataOptions(int maxLength, boolean packing, double evalFraction, long seed) {

    public SftDataOptions {
        if (maxLength < 2) {
            throw new IllegalArgumentException("sft.maxLength must be at least 2 (a token and one to predict), got " + maxLength);
        }
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("sft.evalFraction must be in [0, 1), got " + evalFraction);
        }
    }

    public static SftDataOptions defaults() {
        return new SftDataOptions(1024, false, 0.1, 42);
    }

    public SftDataOptions withMaxLength(int value) {
        return new SftDataOptions(value, packing, evalFraction, seed);
    }

    public SftDataOptions withPacking(boolean value) {
        return new SftDataOptions(maxLength, value, evalFraction, seed);
    }

    public SftDataOptions withEvalFraction(double value) {
        return new SftDataOptions(maxLength, packing, value, seed);
    }

    public SftDataOptions withSeed(long value) {
        return new SftDataOptions(maxLength, packing, evalFraction, value);
    }
}
