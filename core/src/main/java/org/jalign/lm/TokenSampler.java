package org.jalign.lm;

import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits, in Hugging Face's order of logits
 * processors: repetition penalty, then temperature, top-k and top-p (nucleus, Holtzman et al.
 * 2020), then a draw. Greedy takes the argmax after the repetition penalty (lowest id on ties).
 *
 * <p>One sampler serves a whole batch: its scratch arrays are allocated once and reused for every
 * row and step, so the decode loop allocates nothing here. Each sequence owns its generator.
 */
public final class TokenSampler {
    private final GenerationConfig config;
    private final float[] work;     // the row's processed logits
    private final int[] candidates; // ids still allowed after top-k / top-p

    public TokenSampler(GenerationConfig config, int vocabSize) {
        this.config = config;
        this.work = new float[vocabSize];
        this.candidates = new int[vocabSize];
    }

    /** The generator of sample {@code sampleIndex} of prompt {@code promptIndex}: independent of batching. */
    public static SplittableRandom generatorFor(long seed, int promptIndex, int sampleIndex) {
        long mixed = new SplittableRandom(seed).split().nextLong() ^ (promptIndex * 0x9E3779B97F4A7C15L);
        mixed = new SplittableRandom(mixed).nextLong() ^ (sampleIndex * 0xC2B2AE3D27D4EB4FL);
        return new SplittableRandom(mixed);
    }

    /**
     * Chooses a token.
     *
     * @param logits   the batch's logits, row-major (rows × vocab)
     * @param row      which row of {@code logits}
     * @param previous ids already in the sequence (prompt and completion) for the repetition
     *                 penalty; entries [0, previousLength) are used
     * @param random   the sequence's generator (unused when greedy)
     */
    public int next(float[] logits, int row, int[] previous, int previousLength, SplittableRandom random) {
        int vocab = work.length;
        System.arraycopy(logits, row * vocab, work, 0, vocab);
        if (config.repetitionPenalty() != 1.0) {
            // CTRL (Keskar et al. 2019): shrink the logits of tokens already present. Reading the
            // raw logit each time makes a repeated id get the penalty once, as HF's scatter does.
            float penalty = (float) config.repetitionPenalty();
            for (int i = 0; i < previousLength; i++) {
                int id = previous[i];
                float l = logits[row * vocab + id];
                work[id] = l > 0 ? l / penalty : l * penalty;
            }
        }
        if (config.greedy()) {
            return argMax(work);
        }
        float inverseTemperature = (float) (1.0 / config.temperature());
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            work[i] *= inverseTemperature;
            max = Math.max(max, work[i]);
        }
        int count = vocab;
        for (int i = 0; i < vocab; i++) {
            candidates[i] = i;
        }
        if (config.topK() > 0 && config.topK() < vocab) {
            float threshold = kthLargest(config.topK());
            count = 0;
            for (int i = 0; i < vocab; i++) {
                if (work[i] >= threshold) {   // HF keeps every logit tied with the k-th
                    candidates[count++] = i;
                }
            }
        }
        // From here `work` holds unnormalised probabilities exp(l − max) of the candidates.
        double total = 0;
        for (int c = 0; c < count; c++) {
            int id = candidates[c];
            float p = (float) Math.exp(work[id] - max);
            work[id] = p;
            total += p;
        }
        if (config.topP() < 1.0) {
            count = nucleus(count, total * config.topP());
            total = 0;
            for (int c = 0; c < count; c++) {
                total += work[candidates[c]];
            }
        }
        double u = random.nextDouble() * total;
        double cumulative = 0;
        for (int c = 0; c < count; c++) {
            cumulative += work[candidates[c]];
            if (u < cumulative) {
                return candidates[c];
            }
        }
        return candidates[count - 1]; // rounding left u at the very top
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The k-th largest of {@code work} (Hoare's quickselect on a copy held in {@code candidates}' order). */
    private float kthLargest(int k) {
        // Select on indices so `work` keeps its values in place.
        int lo = 0;
        int hi = work.length - 1;
        int target = k - 1; // position in descending order
        while (lo < hi) {
            float pivot = work[candidates[(lo + hi) >>> 1]];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (work[candidates[i]] > pivot) {
                    i++;
                }
                while (work[candidates[j]] < pivot) {
                    j--;
                }
                if (i <= j) {
                    int tmp = candidates[i];
                    candidates[i] = candidates[j];
                    candidates[j] = tmp;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                break;
            }
        }
        return work[candidates[target]];
    }

    /**
     * Reorders candidates[0, count) so that the nucleus comes first and returns its size: the
     * fewest most-probable tokens whose mass reaches {@code needed} (ties at the boundary are all
     * kept). Expected linear time: a quickselect that splits by probability and recurses into the
     * side holding the boundary.
     */
    private int nucleus(int count, double needed) {
        int lo = 0;          // candidates[0, lo) are kept
        int hi = count;      // candidates[lo, hi) are undecided
        while (hi - lo > 0 && needed > 0) {
            float pivot = work[candidates[(lo + hi) >>> 1]];
            // three-way partition of [lo, hi): > pivot | == pivot | < pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            double massAbove = 0;
            double massEqual = 0;
            while (i < gt) {
                int id = candidates[i];
                float p = work[id];
                if (p > pivot) {
                    candidates[i] = candidates[lt];
                    candidates[lt] = id;
                    lt++;
                    i++;
                    massAbove += p;
                } else if (p < pivot) {
                    gt--;
                    candidates[i] = candidates[gt];
                    candidates[gt] = id;
                } else {
                    i++;
                    massEqual += p;
                }
            }
            if (massAbove >= needed) {
                hi = lt;                       // the boundary lies among the larger ones
            } else if (massAbove + massEqual >= needed) {
                return gt;                     // keep all above and every tie at the pivot
            } else {
                needed -= massAbove + massEqual;
                lo = gt;                       // keep all above and equal, look below
            }
        }
        return Math.max(lo, 1);
    }
}
