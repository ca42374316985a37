package org.jalign.eval;

import ai.djl.pytorch.jni.JniUtils;
import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.RopeScaling;
import org.jalign.lm.TensorSource;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Monte Carlo KL of {@link PolicyEvaluation#rollOut} against the exact KL by exhaustive
 * enumeration: two tiny random models over a 5-token vocabulary without EOS, 3 new tokens, so
 * every completion is one of 5³ = 125 sequences and KL = Σ_s p(s)·(log p(s) − log q(s)).
 */
class KlEnumerationTest {
    private static final int VOCAB = 5;
    private static final int NEW_TOKENS = 3;
    private static final int[] PROMPT = {1, 3};

    /** Llama-shaped, 5 tokens, no EOS (so every completion has exactly 3 tokens). */
    private static final ModelConfig CONFIG = new ModelConfig(Architecture.LLAMA, VOCAB, 16, 32, 1, 2, 2, 8, 16, 1e-5,
            10000.0, RopeScaling.NONE, Activation.SILU, false, false, false, false, 1, List.of(), -1);

    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    }

    /** log p(s | prompt) of all 125 completions, at the temperature, enumerated in one batch. */
    private static double[] enumerate(LanguageModel model, List<int[]> completions, double temperature) {
        List<int[]> sequences = new ArrayList<>();
        for (int[] c : completions) {
            int[] s = new int[PROMPT.length + c.length];
            System.arraycopy(PROMPT, 0, s, 0, PROMPT.length);
            System.arraycopy(c, 0, s, PROMPT.length, c.length);
            sequences.add(s);
        }
        float[][] logProbs = model.score(sequences, temperature).logProbs();
        double[] out = new double[completions.size()];
        for (int i = 0; i < out.length; i++) {
            for (int t = PROMPT.length - 1; t < logProbs[i].length; t++) {
                out[i] += logProbs[i][t];
            }
        }
        return out;
    }

    /**
     * The weights of seed {@code seed} plus 0.3·N(0, 0.3²) noise: a reference near the policy, as
     * an RLHF policy stays near its SFT model (KL of a fraction of a nat to a few nats).
     */
    private static LanguageModel perturbed(ModelConfig config, long seed, long noiseSeed) {
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, seed);
        Map<String, float[]> noise = TinyCheckpoints.randomWeights(config, noiseSeed);
        for (Map.Entry<String, float[]> w : weights.entrySet()) {
            float[] n = noise.get(w.getKey());
            for (int i = 0; i < n.length; i++) {
                w.getValue()[i] += 0.3f * (w.getKey().contains("norm") ? n[i] - 1 : n[i]);
            }
        }
        try {
            return LanguageModel.of(config, TensorSource.of(weights, TinyCheckpoints.shapes(config)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<int[]> allCompletions() {
        List<int[]> all = new ArrayList<>();
        for (int a = 0; a < VOCAB; a++) {
            for (int b = 0; b < VOCAB; b++) {
                for (int c = 0; c < VOCAB; c++) {
                    all.add(new int[] {a, b, c});
                }
            }
        }
        return all;
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.7})
    void monteCarloKlMatchesTheExhaustiveSum(double temperature) {
        try (LanguageModel policy = TinyModels.create(CONFIG, 11); LanguageModel reference = perturbed(CONFIG, 11, 12)) {
            // exact: Σ_s p(s) (log p(s) − log q(s)) over the 125 sequences
            List<int[]> all = allCompletions();
            double[] logP = enumerate(policy, all, temperature);
            double[] logQ = enumerate(reference, all, temperature);
            double exact = 0;
            double mass = 0;
            for (int i = 0; i < all.size(); i++) {
                double p = Math.exp(logP[i]);
                mass += p;
                exact += p * (logP[i] - logQ[i]);
            }
            assertThat(mass).as("the enumeration covers every completion").isCloseTo(1.0, within(1e-4));
            assertThat(exact).as("the two random models differ").isGreaterThan(0.05);

            // Monte Carlo: the same prompt 500 times × 4 samples, each (prompt, sample) its own seeded stream
            List<PolicyEvaluation.EvaluationPrompt> prompts = Collections.nCopies(500,
                    new PolicyEvaluation.EvaluationPrompt("p", PROMPT));
            SamplingSettings sampling = new SamplingSettings(4, NEW_TOKENS, temperature, 5, 250);
            PolicyEvaluation.Rollout r = PolicyEvaluation.rollOut(new PolicyEvaluation.Candidate("policy", policy), reference,
                    prompts, List.of(), sampling, new PrintWriter(new StringWriter()), true);
            assertThat(r.sequences()).hasSize(2000).allSatisfy(s -> assertThat(s.completionIds()).hasSize(NEW_TOKENS));
            Estimate k1 = Estimate.of(r.klK1());
            Estimate k3 = Estimate.of(r.klK3());
            assertThat(k1.mean()).as("k1 %s vs exact %.5f", k1, exact).isCloseTo(exact, within(4 * k1.standardError()));
            assertThat(k3.mean()).as("k3 %s vs exact %.5f", k3, exact).isCloseTo(exact, within(4 * k3.standardError()));
            assertThat(k1.standardError()).as("2000 samples pin the KL down").isLessThan(0.1 * exact + 0.01);
            assertThat(java.util.Arrays.stream(r.klK3()).min().orElseThrow()).as("k3 is never negative").isGreaterThanOrEqualTo(0.0);
        }
    }

    @Test
    void klOfAPolicyWithItselfIsExactlyZero() {
        try (LanguageModel policy = TinyModels.create(CONFIG, 11); LanguageModel same = TinyModels.create(CONFIG, 11)) {
            List<PolicyEvaluation.EvaluationPrompt> prompts = Collections.nCopies(20,
                    new PolicyEvaluation.EvaluationPrompt("p", PROMPT));
            PolicyEvaluation.Rollout r = PolicyEvaluation.rollOut(new PolicyEvaluation.Candidate("policy", policy), same,
                    prompts, List.of(), new SamplingSettings(2, NEW_TOKENS, 1.0, 3, 8), new PrintWriter(new StringWriter()), true);
            assertThat(r.klK1()).containsOnly(0.0);
            assertThat(r.klK3()).containsOnly(0.0);
        }
    }
}
