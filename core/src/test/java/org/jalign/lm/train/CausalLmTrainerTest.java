package org.jalign.lm.train;

import org.jalign.lm.Activation;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.Parameter;
import org.jalign.lm.RopeScaling;
import org.jalign.lm.TensorSource;
import org.jalign.lm.WeightLayout;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.optim.AdamWConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CausalLmTrainerTest {
    /** 8 symbols (ids 4..11), each followed by one of two successors with probability ½. */
    private static final int SYMBOLS = 8;
    private static final double ENTROPY = Math.log(2);

    private static ModelConfig tinyConfig() {
        return new ModelConfig(Architecture.LLAMA, 4 + SYMBOLS, 32, 64, 2, 4, 2, 8, 64, 1e-5, 10000,
                RopeScaling.NONE, Activation.SILU, true, false, false, false, 1, List.of(2), 0);
    }

    private static LanguageModel fresh(long seed) throws Exception {
        ModelConfig c = tinyConfig();
        return LanguageModel.of(c, TensorSource.of(WeightLayout.initialise(c, 0.02, seed), WeightLayout.shapes(c)));
    }

    /** The batch of a step depends only on (seed, step): a resumed run sees the same data. */
    private static TokenBatch markovBatch(long step, int rows, int length) {
        SplittableRandom r = new SplittableRandom(1000 + step);
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int[] s = new int[length];
            s[0] = 4 + r.nextInt(SYMBOLS);
            for (int t = 1; t < length; t++) {
                int prev = s[t - 1] - 4;
                int next = r.nextBoolean() ? (3 * prev + 1) % SYMBOLS : (5 * prev + 2) % SYMBOLS;
                s[t] = 4 + next;
            }
            sequences.add(s);
        }
        return TokenBatch.allTargets(sequences);
    }

    private static TrainingConfig config(long steps) {
        return config(steps, 3e-3);
    }

    private static TrainingConfig config(long steps, double learningRate) {
        return new TrainingConfig(steps, Math.min(10, steps), TrainingConfig.Schedule.COSINE, 0.1,
                new AdamWConfig(learningRate, 0.9, 0.99, 1e-8, 0.0), 1.0, 1);
    }

    @Test
    void aTinyModelLearnsAMarkovGrammarDownToItsEntropy() throws Exception {
        try (LanguageModel model = fresh(1); CausalLmTrainer trainer = new CausalLmTrainer(model, config(200))) {
            List<TokenBatch> held = List.of(markovBatch(-1, 32, 24));
            double before = trainer.evaluate(held);
            assertThat(before).isGreaterThan(Math.log(4 + SYMBOLS) - 0.3);   // near uniform at init
            for (int step = 0; step < 200; step++) {
                trainer.step(List.of(markovBatch(step, 16, 24)));
            }
            double after = trainer.evaluate(held);
            // the best possible loss is the chain's entropy, ln 2 per token
            assertThat(after).isBetween(ENTROPY - 0.05, ENTROPY + 0.08);
        }
    }

    @Test
    void accumulatingMicroBatchesEqualsOneLargeBatch() throws Exception {
        TokenBatch a = markovBatch(1, 3, 10);
        TokenBatch b = markovBatch(2, 2, 7);
        List<int[]> all = new ArrayList<>(a.tokens());
        all.addAll(b.tokens());
        Map<String, float[]> accumulated;
        Map<String, float[]> single;
        try (LanguageModel model = fresh(3); CausalLmTrainer trainer = new CausalLmTrainer(model, config(5))) {
            trainer.step(List.of(a, b));
            accumulated = weights(model);
        }
        try (LanguageModel model = fresh(3); CausalLmTrainer trainer = new CausalLmTrainer(model, config(5))) {
            trainer.step(List.of(TokenBatch.allTargets(all)));
            single = weights(model);
        }
        for (String name : single.keySet()) {
            float[] x = accumulated.get(name);
            float[] y = single.get(name);
            for (int i = 0; i < x.length; i++) {
                assertThat(x[i]).as(name).isCloseTo(y[i], within(1e-6f));
            }
        }
    }

    @Test
    void resumingFromSavedStateEndsWithTheSameWeights(@TempDir Path dir) throws Exception {
        Map<String, float[]> straight;
        try (LanguageModel model = fresh(4); CausalLmTrainer trainer = new CausalLmTrainer(model, config(12))) {
            for (int step = 0; step < 12; step++) {
                trainer.step(List.of(markovBatch(step, 4, 12)));
            }
            straight = weights(model);
        }
        try (LanguageModel model = fresh(4); CausalLmTrainer trainer = new CausalLmTrainer(model, config(12))) {
            for (int step = 0; step < 5; step++) {
                trainer.step(List.of(markovBatch(step, 4, 12)));
            }
            trainer.saveState(dir);
        }
        try (LanguageModel model = fresh(999); CausalLmTrainer trainer = new CausalLmTrainer(model, config(12))) {
            trainer.loadState(dir);
            assertThat(trainer.step()).isEqualTo(5);
            for (long step = trainer.step(); step < 12; step++) {
                trainer.step(List.of(markovBatch(step, 4, 12)));
            }
            Map<String, float[]> resumed = weights(model);
            for (String name : straight.keySet()) {
                assertThat(resumed.get(name)).as(name).containsExactly(straight.get(name));
            }
        }
    }

    @Test
    void loraTrainingMovesOnlyTheAdaptersAndLowersTheLoss() throws Exception {
        try (LanguageModel model = fresh(5)) {
            Map<String, float[]> base = weights(model);
            model.addAdapters(new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "gate_proj", "up_proj", "down_proj")), 6);
            List<TokenBatch> held = List.of(markovBatch(-2, 16, 20));
            try (CausalLmTrainer trainer = new CausalLmTrainer(model, config(100, 2e-2))) {
                double before = trainer.evaluate(held);
                for (int step = 0; step < 100; step++) {
                    trainer.step(List.of(markovBatch(step, 16, 20)));
                }
                assertThat(trainer.evaluate(held)).isLessThan(before - 0.3);
            }
            Map<String, float[]> after = weights(model);
            for (String name : base.keySet()) {
                assertThat(after.get(name)).as(name).containsExactly(base.get(name));
            }
        }
    }

    @Test
    void loraDropoutActsOnlyWhileTraining() throws Exception {
        try (LanguageModel model = fresh(7)) {
            model.addAdapters(new LoraConfig(4, 8, 0.5, List.of("q_proj", "v_proj", "down_proj")), 8);
            List<TokenBatch> held = List.of(markovBatch(-3, 8, 16));
            try (CausalLmTrainer trainer = new CausalLmTrainer(model, config(40, 2e-2))) {
                double before = trainer.evaluate(held);
                assertThat(trainer.evaluate(held)).isEqualTo(before);      // no dropout when evaluating
                model.decoder().adapters().setTraining(true);
                // B is 0 at init, so dropout cannot show yet; after training it changes the output
                for (int step = 0; step < 40; step++) {
                    trainer.step(List.of(markovBatch(step, 16, 20)));
                }
                model.decoder().adapters().setTraining(false);
                double after = trainer.evaluate(held);
                assertThat(trainer.evaluate(held)).isEqualTo(after);
                assertThat(after).isLessThan(before);
                model.decoder().adapters().setTraining(true);
                double noisy = trainer.evaluate(held);
                model.decoder().adapters().setTraining(false);
                assertThat(noisy).isNotEqualTo(after);                     // dropout on: a different forward
            }
        }
    }

    private static Map<String, float[]> weights(LanguageModel model) {
        Map<String, float[]> w = new HashMap<>();
        for (Parameter p : model.decoder().parameters()) {
            w.put(p.name(), p.array().toFloatArray());
        }
        return w;
    }
}
