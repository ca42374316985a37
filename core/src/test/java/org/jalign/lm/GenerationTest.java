package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Batching, padding, the cache, seeds and EOS: properties any correct decoder has. */
class GenerationTest {
    private static final long SEED = 7;

    private static int[] tokens(int length, int vocab, long seed) {
        return new SplittableRandom(seed).ints(length, 3, vocab).toArray();
    }

    private static ModelConfig withoutEos(Architecture architecture) {
        return TinyModels.config(architecture).withSpecialTokens(1, List.of(), -1);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void leftPaddedBatchScoresEqualEachSequenceAlone(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture);
        // 4 rows × 29 positions ≥ 64 takes the many-rows logits path; each alone takes the few-rows one
        List<int[]> sequences = List.of(tokens(3, 61, 1), tokens(30, 61, 2), tokens(6, 61, 3), tokens(2, 61, 4));
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            LanguageModel.TokenScores batch = model.score(sequences, 1.0);
            for (int s = 0; s < sequences.size(); s++) {
                LanguageModel.TokenScores alone = model.score(List.of(sequences.get(s)), 1.0);
                assertThat(batch.logProbs()[s]).hasSize(sequences.get(s).length - 1);
                for (int i = 0; i < alone.logProbs()[0].length; i++) {
                    assertThat(batch.logProbs()[s][i]).isCloseTo(alone.logProbs()[0][i], within(1e-5f));
                    assertThat(batch.entropies()[s][i]).isCloseTo(alone.entropies()[0][i], within(1e-5f));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void batchedGreedyEqualsEachPromptAlone(Architecture architecture) {
        ModelConfig config = withoutEos(architecture);
        List<int[]> prompts = List.of(tokens(2, 61, 5), tokens(9, 61, 6), tokens(5, 61, 7));
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            List<GeneratedSequence> batch = model.generate(prompts, GenerationConfig.greedy(16), 0);
            for (int p = 0; p < prompts.size(); p++) {
                GeneratedSequence alone = model.generate(List.of(prompts.get(p)), GenerationConfig.greedy(16), p).get(0);
                assertThat(batch.get(p).completionIds()).containsExactly(alone.completionIds());
                assertThat(batch.get(p).promptIndex()).isEqualTo(p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void cachedStepLogitsEqualAFullRecompute(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture);
        int[] sequence = tokens(12, 61, 8);
        int prompt = 5;
        try (LanguageModel model = TinyModels.create(config, SEED); NDManager m = NDManager.newBaseManager()) {
            DecoderModel decoder = model.decoder();
            float[] full = decoder.logits(decoder.hiddenStates(ids(m, sequence, 0, sequence.length),
                    positions(m, 0, sequence.length), m.ones(new Shape(1, sequence.length)), null)).toFloatArray();
            KvCache cache = decoder.newCache(m, 1, sequence.length);
            NDArray step = decoder.logits(decoder.hiddenStates(ids(m, sequence, 0, prompt), positions(m, 0, prompt),
                    m.ones(new Shape(1, prompt)), cache)).get(new NDIndex(":, -1, :"));
            int vocab = config.vocabSize();
            for (int t = prompt; ; t++) {
                float[] cached = step.toFloatArray();
                for (int v = 0; v < vocab; v++) {
                    assertThat(cached[v]).as("slot %d token %d", t - 1, v)
                            .isCloseTo(full[(t - 1) * vocab + v], within(1e-5f));
                }
                if (t == sequence.length) {
                    break;
                }
                step = decoder.logits(decoder.hiddenStates(ids(m, sequence, t, t + 1), positions(m, t, t + 1),
                        m.ones(new Shape(1, t + 1)), cache)).reshape(1, vocab);
            }
            assertThat(cache.length()).isEqualTo(sequence.length);
        }
    }

    private static NDArray ids(NDManager m, int[] sequence, int from, int to) {
        long[] ids = new long[to - from];
        for (int i = from; i < to; i++) {
            ids[i - from] = sequence[i];
        }
        return m.create(ids, new Shape(1, to - from));
    }

    private static NDArray positions(NDManager m, int from, int to) {
        return m.arange(from, to).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, to - from);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void hostSideSamplingReadsTheSameLogitsAsDeviceArgmax(Architecture architecture) {
        // greedy without penalty takes the argmax on the device; top-k 1 sampling and a no-op-sized
        // repetition penalty copy the logits to the host: all three must pick the same tokens
        ModelConfig config = withoutEos(architecture);
        List<int[]> prompts = List.of(tokens(3, 61, 40), tokens(8, 61, 41), tokens(5, 61, 42));
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            List<GeneratedSequence> device = model.generate(prompts, GenerationConfig.greedy(12), 0);
            List<GeneratedSequence> topOne = model.generate(prompts, GenerationConfig.sampling(12, 0.7, 3).withTopK(1), 0);
            List<GeneratedSequence> host = model.generate(prompts,
                    GenerationConfig.greedy(12).withRepetitionPenalty(1.0 + 1e-9), 0);
            for (int p = 0; p < prompts.size(); p++) {
                assertThat(topOne.get(p).completionIds()).containsExactly(device.get(p).completionIds());
                assertThat(host.get(p).completionIds()).containsExactly(device.get(p).completionIds());
            }
        }
    }

    @Test
    void sameSeedSameSamplesAndSamplesDoNotDependOnTheBatch() {
        ModelConfig config = withoutEos(Architecture.LLAMA);
        List<int[]> prompts = List.of(tokens(3, 61, 9), tokens(7, 61, 10), tokens(4, 61, 11));
        GenerationConfig sampling = GenerationConfig.sampling(12, 1.0, 1234).withTopK(20).withTopP(0.95)
                .withNumReturnSequences(3);
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            List<GeneratedSequence> first = model.generate(prompts, sampling, 0);
            List<GeneratedSequence> again = model.generate(prompts, sampling, 0);
            assertThat(again).isEqualTo(first);
            assertThat(first).hasSize(9);
            // prompt 1 decoded alone (with its index) draws exactly what it drew inside the batch
            List<GeneratedSequence> alone = model.generate(List.of(prompts.get(1)), sampling, 1);
            assertThat(alone).isEqualTo(first.subList(3, 6));
            // the three samples of a prompt differ from each other, and another seed changes them
            assertThat(first.get(0).completionIds()).isNotEqualTo(first.get(1).completionIds());
            List<GeneratedSequence> otherSeed = model.generate(prompts, sampling.withSeed(99), 0);
            assertThat(otherSeed).isNotEqualTo(first);
        }
    }

    @Test
    void aRowStopsAtItsEosWhileTheOthersContinue() {
        ModelConfig noEos = withoutEos(Architecture.LLAMA);
        List<int[]> prompts = List.of(tokens(4, 61, 12), tokens(6, 61, 13), tokens(2, 61, 14), tokens(5, 61, 15));
        try (LanguageModel free = TinyModels.create(noEos, SEED)) {
            List<GeneratedSequence> unstopped = free.generate(prompts, GenerationConfig.greedy(20), 0);
            // make prompt 0's 4th token the EOS id (with no earlier occurrence)
            int[] c0 = unstopped.get(0).completionIds();
            int stop = 3;
            while (indexOf(c0, c0[stop]) != stop) {
                stop++;
            }
            int eos = c0[stop];
            ModelConfig withEos = noEos.withSpecialTokens(1, List.of(eos), 0);
            try (LanguageModel model = TinyModels.create(withEos, SEED)) {
                List<GeneratedSequence> out = model.generate(prompts, GenerationConfig.greedy(20), 0);
                for (int p = 0; p < prompts.size(); p++) {
                    int[] expected = unstopped.get(p).completionIds();
                    int at = indexOf(expected, eos);
                    GeneratedSequence g = out.get(p);
                    if (at >= 0) {
                        assertThat(g.completionIds()).containsExactly(java.util.Arrays.copyOf(expected, at + 1));
                        assertThat(g.finishedByEos()).isTrue();
                    } else {
                        assertThat(g.completionIds()).containsExactly(expected);
                        assertThat(g.finishedByEos()).isFalse();
                    }
                }
                assertThat(out.get(0).completionIds()).hasSize(stop + 1).endsWith(eos);
            }
        }
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void manyRowsFinishingAtDifferentTimesKeepTheirOwnContinuations() {
        // eight prompts with one shared EOS: rows leave the batch (compaction) at different steps
        ModelConfig noEos = withoutEos(Architecture.QWEN2);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            prompts.add(tokens(2 + i % 4, 61, 20 + i));
        }
        try (LanguageModel free = TinyModels.create(noEos, SEED)) {
            List<GeneratedSequence> unstopped = free.generate(prompts, GenerationConfig.greedy(24), 0);
            int eos = unstopped.get(0).completionIds()[2];
            try (LanguageModel model = TinyModels.create(noEos.withSpecialTokens(1, List.of(eos), 0), SEED)) {
                List<GeneratedSequence> batch = model.generate(prompts, GenerationConfig.greedy(24), 0);
                for (int p = 0; p < prompts.size(); p++) {
                    GeneratedSequence alone = model.generate(List.of(prompts.get(p)), GenerationConfig.greedy(24), p).get(0);
                    assertThat(batch.get(p)).isEqualTo(alone);
                }
            }
        }
    }

    @Test
    void maxNewTokensBoundsEveryCompletion() {
        try (LanguageModel model = TinyModels.create(withoutEos(Architecture.GPT2), SEED)) {
            List<GeneratedSequence> out = model.generate(List.of(tokens(3, 61, 30)),
                    GenerationConfig.sampling(5, 1.0, 1).withNumReturnSequences(4), 0);
            assertThat(out).hasSize(4).allSatisfy(g -> {
                assertThat(g.completionIds()).hasSize(5);
                assertThat(g.finishedByEos()).isFalse();
            });
            assertThat(model.generate(List.of(tokens(3, 61, 30)), GenerationConfig.greedy(0), 0).get(0).completionIds())
                    .isEmpty();
        }
    }

    @Test
    void badPromptsAreRejectedWithTheirIndex() {
        try (LanguageModel model = TinyModels.create(TinyModels.config(Architecture.LLAMA), SEED)) {
            assertThatThrownBy(() -> model.generate(List.of(new int[] {1}, new int[0]), GenerationConfig.greedy(2), 10))
                    .hasMessageContaining("prompt 11 is empty");
            assertThatThrownBy(() -> model.generate(List.of(new int[] {1, 61}), GenerationConfig.greedy(2), 0))
                    .hasMessageContaining("token id 61 outside the vocabulary [0, 61)");
            assertThatThrownBy(() -> model.generate(List.of(new int[60]), GenerationConfig.greedy(5), 0))
                    .hasMessageContaining("exceeds the model's max_position_embeddings (64)");
            assertThatThrownBy(() -> model.logProbs(List.of(new int[] {1})))
                    .hasMessageContaining("sequence 0 has 1 tokens; log-probs need at least 2");
        }
    }
}
