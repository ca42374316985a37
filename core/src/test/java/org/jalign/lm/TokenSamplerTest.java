package org.jalign.lm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sampler against distributions worked out by hand. */
class TokenSamplerTest {
    private static final int DRAWS = 200_000;

    private static double[] frequencies(GenerationConfig config, float[] logits, long seed) {
        TokenSampler sampler = new TokenSampler(config, logits.length);
        SplittableRandom random = new SplittableRandom(seed);
        double[] counts = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.next(logits, 0, new int[0], 0, random)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    private static float[] logitsOf(double... probabilities) {
        float[] l = new float[probabilities.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) Math.log(probabilities[i]);
        }
        return l;
    }

    @Test
    void plainSamplingFollowsSoftmax() {
        double[] f = frequencies(GenerationConfig.sampling(1, 1.0, 0), logitsOf(0.5, 0.3, 0.15, 0.05), 1);
        // 4 standard errors of a binomial proportion at p = 0.5 with 200k draws ≈ 0.0045
        assertThat(f[0]).isCloseTo(0.5, within(0.005));
        assertThat(f[1]).isCloseTo(0.3, within(0.005));
        assertThat(f[2]).isCloseTo(0.15, within(0.005));
        assertThat(f[3]).isCloseTo(0.05, within(0.005));
    }

    @Test
    void temperatureSharpensAsWorkedByHand() {
        // p ∝ q^(1/T) with T = 0.5: q² = 0.25, 0.09, 0.0225, 0.0025; sum 0.365
        double[] f = frequencies(GenerationConfig.sampling(1, 0.5, 0), logitsOf(0.5, 0.3, 0.15, 0.05), 2);
        assertThat(f[0]).isCloseTo(0.25 / 0.365, within(0.005));
        assertThat(f[1]).isCloseTo(0.09 / 0.365, within(0.005));
        assertThat(f[2]).isCloseTo(0.0225 / 0.365, within(0.003));
        assertThat(f[3]).isCloseTo(0.0025 / 0.365, within(0.002));
    }

    @Test
    void topKKeepsOnlyTheKMostLikelyRenormalised() {
        float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
        double[] f = frequencies(GenerationConfig.sampling(1, 1.0, 0).withTopK(2), logits, 3);
        assertThat(f[0]).isZero();
        assertThat(f[2]).isZero();
        assertThat(f[1]).isCloseTo(0.5 / 0.8, within(0.005));
        assertThat(f[3]).isCloseTo(0.3 / 0.8, within(0.005));
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        // sorted 0.5, 0.3, 0.15, 0.05: 0.5 < 0.75 ≤ 0.5 + 0.3, so the nucleus is {0.5, 0.3}
        float[] logits = logitsOf(0.15, 0.3, 0.05, 0.5);
        double[] f = frequencies(GenerationConfig.sampling(1, 1.0, 0).withTopP(0.75), logits, 4);
        assertThat(f[0]).isZero();
        assertThat(f[2]).isZero();
        assertThat(f[3]).isCloseTo(0.625, within(0.005));
        assertThat(f[1]).isCloseTo(0.375, within(0.005));
    }

    @Test
    void topPOnALargeVocabularyMatchesASortedReference() {
        SplittableRandom r = new SplittableRandom(7);
        int vocab = 5000;
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        double topP = 0.9;
        // reference: sort probabilities descending and take the shortest prefix with mass ≥ p
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double z = 0;
        Integer[] order = new Integer[vocab];
        double[] p = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp(logits[i] - max);
            z += p[i];
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        java.util.Set<Integer> nucleus = new java.util.HashSet<>();
        double mass = 0;
        for (int i = 0; i < vocab && mass < topP * z; i++) {
            nucleus.add(order[i]);
            mass += p[order[i]];
        }
        TokenSampler sampler = new TokenSampler(GenerationConfig.sampling(1, 1.0, 0).withTopP(topP), vocab);
        SplittableRandom random = new SplittableRandom(11);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            seen.add(sampler.next(logits, 0, new int[0], 0, random));
        }
        assertThat(nucleus).containsAll(seen);
        assertThat(seen.size()).isGreaterThan(nucleus.size() / 2);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // logits [2, 1.5, −1]; ids 0 and 2 already seen, penalty 2 → [1, 1.5, −2]: greedy picks 1
        float[] logits = {2f, 1.5f, -1f};
        GenerationConfig greedy = GenerationConfig.greedy(1).withRepetitionPenalty(2.0);
        TokenSampler sampler = new TokenSampler(greedy, 3);
        assertThat(sampler.next(logits, 0, new int[] {0, 2, 0}, 3, null)).isEqualTo(1);
        assertThat(new TokenSampler(GenerationConfig.greedy(1), 3).next(logits, 0, new int[] {0}, 1, null)).isZero();
        // a negative seen logit gets more negative: [−1, −1.5] with id 0 seen → [−2, −1.5]: picks 1
        assertThat(new TokenSampler(greedy, 2).next(new float[] {-1f, -1.5f}, 0, new int[] {0}, 1, null)).isEqualTo(1);
    }

    @Test
    void greedyTakesTheLowestIdOnTiesAndReadsTheRightRow() {
        float[] twoRows = {0f, 3f, 3f, /* row 1 */ 5f, 1f, 5f};
        TokenSampler sampler = new TokenSampler(GenerationConfig.greedy(1), 3);
        assertThat(sampler.next(twoRows, 0, new int[0], 0, null)).isEqualTo(1);
        assertThat(sampler.next(twoRows, 1, new int[0], 0, null)).isEqualTo(0);
    }

    @Test
    void generatorsDependOnSeedPromptAndSampleOnly() {
        long a = TokenSampler.generatorFor(5, 3, 1).nextLong();
        assertThat(TokenSampler.generatorFor(5, 3, 1).nextLong()).isEqualTo(a);
        assertThat(TokenSampler.generatorFor(6, 3, 1).nextLong()).isNotEqualTo(a);
        assertThat(TokenSampler.generatorFor(5, 4, 1).nextLong()).isNotEqualTo(a);
        assertThat(TokenSampler.generatorFor(5, 3, 0).nextLong()).isNotEqualTo(a);
    }
}
