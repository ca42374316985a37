package org.jalign.constitution;

import com.google.gson.JsonObject;

/**
 * Settings of the AI-feedback stage.
 *
 * @param principlesPerPair distinct principles each pair is judged under (averaged), ≥ 1
 * @param minConfidence     a pair is kept when |P − ½| ≥ this, in [0, ½); 0 keeps every pair
 *                          except exact ties
 * @param batchSize         judge prompts per forward pass
 * @param seed              seeds the principle draws
 * @param format            what is written
 */
public record JudgeConfig(int principlesPerPair, double minConfidence, int batchSize, long seed, OutputFormat format) {

    /** The output line format. */
    public enum OutputFormat {
        /** {@code feedback export --format pairs} lines plus {@code preference_probability}. */
        PAIRS,
        /** {@code feedback export --format ranked} lines, ranked by expected wins. */
        RANKED;

        public static OutputFormat parse(String name) {
            for (OutputFormat f : values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--format must be pairs or ranked, got \"" + name + "\"");
        }
    }

    public JudgeConfig {
        if (principlesPerPair < 1) {
            throw new IllegalArgumentException("--principles-per-pair must be >= 1, got " + principlesPerPair);
        }
        if (!(minConfidence >= 0 && minConfidence < 0.5)) {
            throw new IllegalArgumentException("--min-confidence must be in [0, 0.5), got " + minConfidence);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        java.util.Objects.requireNonNull(format, "format");
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("principlesPerPair", principlesPerPair);
        o.addProperty("minConfidence", minConfidence);
        o.addProperty("seed", seed);
        o.addProperty("format", format.name().toLowerCase(java.util.Locale.ROOT));
        return o;
    }
}
