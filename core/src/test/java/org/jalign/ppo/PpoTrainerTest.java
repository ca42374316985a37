package org.jalign.ppo;

import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.Parameter;
import org.jalign.lm.TinyModels;
import org.jalign.lm.TinyTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.reward.RewardFunction;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PpoTrainer on a tiny random Llama with TinyTokenizer's vocabulary and a rule reward (+1 for every
 * "red" in the completion): the first minibatch reproduces the rollout exactly, reward rises within a
 * few dozen steps while KL stays bounded, the KL penalty holds the policy back, and a resumed run
 * continues bit-identically.
 */
class PpoTrainerTest {
    static final int RED = TinyTokenizer.id("red");
    static final ModelConfig CONFIG = TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS),
            TinyTokenizer.PAD);

    /** +1 per "red" in the completion: an independent rule, no model. */
    static final RewardFunction RED_COUNT = (prompts, completions) -> {
        float[] out = new float[completions.size()];
        for (int i = 0; i < out.length; i++) {
            for (int id : completions.get(i)) {
                out[i] += id == RED ? 1 : 0;
            }
        }
        return out;
    };

    static List<int[]> prompts(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] p = new int[1 + 1 + random.nextInt(3)];
            p[0] = TinyTokenizer.BOS;
            for (int j = 1; j < p.length; j++) {
                p[j] = 4 + random.nextInt(TinyTokenizer.VOCAB_SIZE - 4);
            }
            out.add(p);
        }
        return out;
    }

    static PpoConfig config(long steps, double lr) {
        return new PpoConfig(steps, Double.NaN, 5, 8, 2, 8, 4, lr, 1e-5, 1.0, 0.05, Double.NaN, 10000, 1.0, 0.95,
                0.2, 0.2, 0.1, 0.0, 8, 1.0, 0, 1.0, Double.NaN, Double.NaN, false, 11);
    }

    /**
     * One intra-op thread while these tests run: a hidden-32 model is bound by per-op overhead, and
     * on a shared 2-core machine two OpenMP threads per op made a step 5–10× slower (measured
     * 0.2–0.45 s/step with one thread, 2–3 s with two, load average 6). Restored afterwards.
     */
    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    }

    static LanguageModel model() {
        return TinyModels.create(CONFIG, 3);
    }

    static LoraConfig lora() {
        return new LoraConfig(4, 8, 0.0, List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));
    }

    static List<PpoTrainer.StepResult> train(PpoConfig c, boolean useLora) throws Exception {
        try (LanguageModel policy = model(); LanguageModel reference = useLora ? null : model()) {
            if (useLora) {
                policy.addAdapters(lora(), 5);
            }
            List<PpoTrainer.StepResult> results = new ArrayList<>();
            try (PpoTrainer trainer = new PpoTrainer(policy, reference, RED_COUNT, prompts(32, 1), c)) {
                while (trainer.stepCount() < c.steps()) {
                    results.add(trainer.step());
                }
            }
            return results;
        }
    }

    @Test
    void firstMinibatchReproducesTheRolloutAndKlIsZeroBeforeAnyUpdate() throws Exception {
        for (boolean useLora : new boolean[] {true, false}) {
            PpoTrainer.StepResult first = train(config(1, 1e-3), useLora).get(0);
            assertThat(first.klK1()).as("k1, lora=" + useLora).isZero();
            assertThat(first.klK3()).as("k3, lora=" + useLora).isZero();
            assertThat(first.firstRatioMaxDeviation()).as("|ratio − 1|, lora=" + useLora).isLessThan(1e-5);
            assertThat(first.firstApproxKl()).as("approx-KL, lora=" + useLora).isLessThan(1e-5);
            assertThat(first.valueLoss()).isFinite();
        }
    }

    static double mean(List<PpoTrainer.StepResult> r, int from, int to, java.util.function.ToDoubleFunction<PpoTrainer.StepResult> f) {
        return r.subList(from, to).stream().mapToDouble(f).average().orElseThrow();
    }

    @Test
    void rewardRisesWhileKlStaysBounded() throws Exception {
        long t0 = System.nanoTime();
        List<PpoTrainer.StepResult> r = train(config(30, 2e-3), true);
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder curve = new StringBuilder();
        for (PpoTrainer.StepResult s : r) {
            curve.append(String.format("%d: score %.2f kl %.3f k3 %.3f beta %.3f len %.1f ent %.2f clip %.2f ev %.2f %.2fs%n",
                    s.step(), s.scoreMean(), s.klK1(), s.klK3(), s.beta(), s.responseLength(), s.entropy(), s.clipFraction(),
                    s.explainedVariance(), s.seconds()));
        }
        System.out.println(curve + String.format("%.1f s, %.3f s/step", seconds, seconds / r.size()));
        double before = mean(r, 0, 5, PpoTrainer.StepResult::scoreMean);
        double after = mean(r, r.size() - 5, r.size(), PpoTrainer.StepResult::scoreMean);
        assertThat(after).as(curve.toString()).isGreaterThan(before + 1.0);
        // k1 of 16 samples can dip below 0 in a step (its mean over many samples cannot); k3 never
        assertThat(mean(r, 0, r.size(), PpoTrainer.StepResult::klK1)).isPositive();
        for (PpoTrainer.StepResult s : r) {
            assertThat(s.klK1()).as(curve.toString()).isFinite().isGreaterThan(-0.5).isLessThan(30);
            assertThat(s.klK3()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void theKlPenaltyHoldsThePolicyNearTheReference() throws Exception {
        List<PpoTrainer.StepResult> free = train(config(20, 2e-3).withKl(0.0, Double.NaN), true);
        List<PpoTrainer.StepResult> held = train(config(20, 2e-3).withKl(1.0, Double.NaN), true);
        double freeKl = mean(free, 15, 20, PpoTrainer.StepResult::klK1);
        double heldKl = mean(held, 15, 20, PpoTrainer.StepResult::klK1);
        System.out.printf("KL after 20 steps: beta 0 -> %.3f, beta 1 -> %.3f%n", freeKl, heldKl);
        assertThat(heldKl).isLessThan(freeKl * 0.7);
    }

    @Test
    void theAdaptiveControllerMovesBetaTowardTheTarget() throws Exception {
        // target far below the KL the run reaches: β must rise; far above: β must fall
        List<PpoTrainer.StepResult> low = train(config(12, 2e-3).withKl(0.05, 1e-3), true);
        List<PpoTrainer.StepResult> high = train(config(12, 2e-3).withKl(0.05, 1e3), true);
        assertThat(low.get(low.size() - 1).beta()).isGreaterThan(0.05);
        assertThat(high.get(high.size() - 1).beta()).isLessThan(0.05);
    }

    @Test
    void theTargetRewardIsJudgedOnTheWindowMean() throws Exception {
        PpoConfig c = new PpoConfig(40, 2.0, 3, 8, 2, 8, 4, 2e-3, 1e-5, 1.0, 0.05, Double.NaN, 10000, 1.0, 0.95,
                0.2, 0.2, 0.1, 0.0, 8, 1.0, 0, 1.0, Double.NaN, Double.NaN, false, 11);
        try (LanguageModel policy = model()) {
            policy.addAdapters(lora(), 5);
            List<PpoTrainer.StepResult> r = new ArrayList<>();
            try (PpoTrainer trainer = new PpoTrainer(policy, null, RED_COUNT, prompts(32, 1), c)) {
                while (!trainer.reachedTargetReward() && trainer.stepCount() < c.steps()) {
                    r.add(trainer.step());
                    boolean windowReached = r.size() >= 3 && mean(r, r.size() - 3, r.size(), PpoTrainer.StepResult::scoreMean) >= 2.0;
                    assertThat(trainer.reachedTargetReward()).isEqualTo(windowReached);
                }
                assertThat(trainer.stepCount()).isLessThan(40);
            }
        }
    }

    @Test
    void aResumedTrainerContinuesBitIdentically(@TempDir Path dir) throws Exception {
        PpoConfig c = config(6, 2e-3).withKl(0.05, 1.0);
        float[][] straight;
        try (LanguageModel policy = model()) {
            policy.addAdapters(lora(), 5);
            try (PpoTrainer trainer = new PpoTrainer(policy, null, RED_COUNT, prompts(32, 1), c)) {
                for (int i = 0; i < 6; i++) {
                    trainer.step();
                }
                straight = weights(policy, trainer);
            }
        }
        try (LanguageModel policy = model()) {
            policy.addAdapters(lora(), 5);
            try (PpoTrainer trainer = new PpoTrainer(policy, null, RED_COUNT, prompts(32, 1), c)) {
                for (int i = 0; i < 3; i++) {
                    trainer.step();
                }
                trainer.saveState(dir.resolve("ckpt"));
            }
        }
        try (LanguageModel policy = model()) {
            policy.addAdapters(lora(), 99);   // other initial adapters: the checkpoint must overwrite them
            try (PpoTrainer trainer = new PpoTrainer(policy, null, RED_COUNT, prompts(32, 1), c)) {
                trainer.loadState(dir.resolve("ckpt"));
                assertThat(trainer.stepCount()).isEqualTo(3);
                while (trainer.stepCount() < 6) {
                    trainer.step();
                }
                float[][] resumed = weights(policy, trainer);
                for (int i = 0; i < straight.length; i++) {
                    assertThat(resumed[i]).containsExactly(straight[i]);
                }
            }
        }
    }

    private static float[][] weights(LanguageModel policy, PpoTrainer trainer) {
        List<Parameter> all = new ArrayList<>(policy.decoder().adapters().parameters());
        all.addAll(trainer.valueHead().parameters("v_head"));
        return all.stream().map(p -> p.array().toFloatArray()).toArray(float[][]::new);
    }

    @Test
    void configErrorsNameTheOption() {
        assertThatThrownBy(() -> new PpoConfig(10, Double.NaN, 5, 8, 2, 8, 4, 1e-3, 1e-5, 1.0, 0.05, Double.NaN, 10000,
                1.0, 0.95, 1.5, 0.2, 0.1, 0.0, 8, 1.0, 0, 1.0, Double.NaN, Double.NaN, false, 11))
                .hasMessage("--cliprange must be in (0, 1), got 1.5");
        assertThatThrownBy(() -> config(10, 1e-3).withKl(-1, Double.NaN)).hasMessageContaining("--init-kl-coef must be >= 0");
        assertThatThrownBy(() -> new PpoConfig(10, Double.NaN, 5, 2, 2, 8, 4, 1e-3, 1e-5, 1.0, 0.05, Double.NaN, 10000,
                1.0, 0.95, 0.2, 0.2, 0.1, 0.0, 8, 1.0, 0, 1.0, Double.NaN, Double.NaN, false, 11))
                .hasMessageContaining("--mini-batch-size 8 exceeds the completions per step");
        try (LanguageModel policy = model()) {
            assertThatThrownBy(() -> new PpoTrainer(policy, null, RED_COUNT, prompts(4, 1), config(1, 1e-3)))
                    .hasMessageContaining("frozen reference");
        }
    }
}
