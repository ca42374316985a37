package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.jalign.lm.lora.LoraConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The plain-Java decode path (lm.kernel via {@code LlamaDecodeSession}) against the float64
 * {@link ReferenceTransformer} and the pretrained fixture, for every Llama-family variant the
 * config supports; and what the switch between engines promises.
 */
class JavaDecodeTest {
    private static final long SEED = 11;

    private static int[] tokens(int length, int vocab, long seed) {
        return new SplittableRandom(seed).ints(length, 3, vocab).toArray();
    }

    private static ModelConfig noEos(ModelConfig c) {
        return c.withSpecialTokens(1, List.of(), -1);
    }

    /** Llama with GQA, Qwen2 (q/k/v biases, tied head), Llama with every bias, and both RoPE scalings. */
    static Stream<ModelConfig> llamaFamily() {
        ModelConfig llama = TinyCheckpoints.tinyLlama();
        return Stream.of(llama, TinyCheckpoints.tinyQwen2(),
                new ModelConfig(Architecture.LLAMA, 61, 32, 48, 2, 4, 4, 8, 64, 1e-5, 10000.0, RopeScaling.NONE,
                        Activation.SILU, false, true, true, true, 1, List.of(2), -1),
                new ModelConfig(Architecture.LLAMA, 61, 32, 48, 2, 4, 1, 8, 64, 1e-5, 500000.0,
                        new RopeScaling(RopeScaling.Kind.LLAMA3, 8, 1, 4, 16), Activation.SILU, true, false, false,
                        false, 1, List.of(2), -1),
                new ModelConfig(Architecture.LLAMA, 61, 40, 48, 2, 4, 2, 10, 64, 1e-5, 10000.0,
                        new RopeScaling(RopeScaling.Kind.LINEAR, 4, 1, 1, 0), Activation.SILU, false, false, false,
                        false, 1, List.of(2), -1));
    }

    /** Every step's logits of every row of a left-padded batch, against the reference run on that row alone. */
    @ParameterizedTest
    @MethodSource("llamaFamily")
    void stepLogitsOfAPaddedBatchMatchTheReference(ModelConfig config) {
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, SEED);
        for (int rows : new int[] {1, 3, 17}) {
            List<int[]> prompts = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                prompts.add(tokens(1 + (r * 5) % 9, config.vocabSize(), 100 + r));
            }
            int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
            int steps = 6;
            int vocab = config.vocabSize();
            try (LanguageModel model = TinyModels.create(config, SEED);
                 DecodeSession session = model.decoder().newDecodeSession(rows, promptLength + steps, false,
                         DecodeEngine.JAVA)) {
                long[] ids = new long[rows * promptLength];
                long[] positions = new long[rows * promptLength];
                float[] mask = new float[rows * promptLength];
                int[][] sequences = new int[rows][];
                for (int r = 0; r < rows; r++) {
                    int[] p = prompts.get(r);
                    int offset = promptLength - p.length;
                    for (int i = 0; i < p.length; i++) {
                        ids[r * promptLength + offset + i] = p[i];
                        positions[r * promptLength + offset + i] = i;
                        mask[r * promptLength + offset + i] = 1;
                    }
                    sequences[r] = p.clone();
                }
                float[] logits = session.prefill(ids, positions, mask, promptLength).logits();
                for (int s = 0; ; s++) {
                    long[] next = new long[rows];
                    long[] nextPositions = new long[rows];
                    for (int r = 0; r < rows; r++) {
                        double[] expected = ReferenceTransformer.logits(config, weights, sequences[r])[sequences[r].length - 1];
                        for (int v = 0; v < vocab; v++) {
                            assertThat((double) logits[r * vocab + v])
                                    .as("%s, %d rows: row %d after %d tokens, logit %d", config.ropeScaling().kind(), rows,
                                            r, sequences[r].length, v)
                                    .isCloseTo(expected[v], within(1e-4 * Math.max(1, Math.abs(expected[v]))));
                        }
                        int token = ReferenceTransformer.argmax(expected);
                        next[r] = token;
                        nextPositions[r] = sequences[r].length;
                        sequences[r] = java.util.Arrays.copyOf(sequences[r], sequences[r].length + 1);
                        sequences[r][sequences[r].length - 1] = token;
                    }
                    if (s == steps) {
                        break;
                    }
                    logits = session.step(next, nextPositions, rows, promptLength + s).logits();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("llamaFamily")
    void greedyDecodingMatchesTheReferencesFullRecompute(ModelConfig config) {
        ModelConfig c = noEos(config);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(c, SEED);
        int[] prompt = tokens(5, c.vocabSize(), 2);
        try (LanguageModel model = TinyModels.create(c, SEED)) {
            Generator javaEngine = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.JAVA);
            GeneratedSequence out = javaEngine.generate(List.of(prompt), GenerationConfig.greedy(24), 0).get(0);
            assertThat(out.completionIds()).containsExactly(ReferenceTransformer.greedy(c, weights, prompt, 24));
        }
    }

    /** Sampling with every processor, EOS and compaction: the engines share the sampler, so they draw the same tokens. */
    @Test
    void bothEnginesDrawTheSameSamplesWithEosAndCompaction() {
        ModelConfig config = TinyCheckpoints.tinyLlama().withSpecialTokens(1, List.of(7), 0);
        List<int[]> prompts = List.of(tokens(2, 61, 1), tokens(7, 61, 2), tokens(4, 61, 3), tokens(9, 61, 4));
        GenerationConfig sampling = GenerationConfig.sampling(20, 0.8, 5).withTopK(20).withTopP(0.9)
                .withRepetitionPenalty(1.3).withNumReturnSequences(3);
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            List<GeneratedSequence> viaJava = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.JAVA)
                    .generate(prompts, sampling, 0);
            List<GeneratedSequence> djl = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.DJL)
                    .generate(prompts, sampling, 0);
            assertThat(viaJava.stream().anyMatch(GeneratedSequence::finishedByEos)).as("some row stops at EOS").isTrue();
            assertThat(viaJava.stream().anyMatch(g -> !g.finishedByEos())).as("some row runs to the budget").isTrue();
            for (int i = 0; i < viaJava.size(); i++) {
                assertThat(viaJava.get(i).completionIds()).as("row %d", i).containsExactly(djl.get(i).completionIds());
                assertThat(viaJava.get(i).finishedByEos()).isEqualTo(djl.get(i).finishedByEos());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"JAVA", "DJL"})
    void bothEnginesReproduceTheFixturesGreedyTokens(String engine) throws Exception {
        int[] expected = Fixtures.llamaGreedyFromBos();
        try (LanguageModel model = LanguageModel.load(Fixtures.llama260k())) {
            Generator generator = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.valueOf(engine));
            List<GeneratedSequence> out = generator.generate(List.of(new int[] {1}),
                    new GenerationConfig(expected.length, true, 1, 0, 1, 1, 1, 0), 0);
            assertThat(out.get(0).completionIds()).containsExactly(expected);
        }
    }

    /** LoRA on every projection, against the reference run on weights merged by hand in double. */
    @ParameterizedTest
    @MethodSource("llamaFamily")
    void loraAdaptersAreAppliedAsOnHandMergedWeights(ModelConfig config) {
        ModelConfig c = noEos(config);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(c, SEED);
        List<int[]> prompts = List.of(tokens(3, c.vocabSize(), 21), tokens(6, c.vocabSize(), 22), tokens(1, c.vocabSize(), 23));
        try (LanguageModel model = TinyModels.create(c, SEED)) {
            org.jalign.lm.lora.LoraAdapters adapters = model.addAdapters(new LoraConfig(3, 5, 0,
                    List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")), 4);
            LoraTest.randomiseB(adapters, 5);
            Map<String, float[]> merged = LoraTest.mergeByHand(c.architecture(), weights, adapters);
            Generator javaEngine = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.JAVA);
            List<GeneratedSequence> adapted = javaEngine.generate(prompts, GenerationConfig.greedy(16), 0);
            boolean differsFromBase = false;
            for (int p = 0; p < prompts.size(); p++) {
                int[] expected = ReferenceTransformer.greedy(c, merged, prompts.get(p), 16);
                assertThat(adapted.get(p).completionIds()).as("prompt %d", p).containsExactly(expected);
                differsFromBase |= !java.util.Arrays.equals(expected, ReferenceTransformer.greedy(c, weights, prompts.get(p), 16));
            }
            assertThat(differsFromBase).as("the adapters change some completion").isTrue();
            try (AutoCloseable off = model.adaptersDisabled()) {
                List<GeneratedSequence> base = javaEngine.generate(prompts, GenerationConfig.greedy(16), 0);
                for (int p = 0; p < prompts.size(); p++) {
                    assertThat(base.get(p).completionIds())
                            .containsExactly(ReferenceTransformer.greedy(c, weights, prompts.get(p), 16));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A DJL fact the Java path relies on (docs/djl-notes.md): the buffer is the tensor's own memory. */
    @Test
    void toByteBufferOfAContiguousCpuTensorAliasesItsStorage() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new ai.djl.ndarray.types.Shape(2, 3));
            ByteBuffer view = a.toByteBuffer(true);
            assertThat(view.isDirect()).isTrue();
            a.addi(m.create(10f));
            assertThat(view.getFloat(5 * Float.BYTES)).isEqualTo(16f);
            view.putFloat(0, -1f);
            assertThat(a.toFloatArray()[0]).isEqualTo(-1f);
        }
    }

    /**
     * Weights changed in place (an optimizer step, merged adapters) are what the next decode reads:
     * in place for two rows, and through a fresh packed copy for four.
     */
    @Test
    void weightsUpdatedInPlaceAreSeenByTheJavaPath() {
        ModelConfig config = noEos(TinyCheckpoints.tinyQwen2());
        List<List<int[]>> batches = List.of(List.of(tokens(4, 61, 8), tokens(6, 61, 9)),
                List.of(tokens(4, 61, 8), tokens(6, 61, 9), tokens(3, 61, 10), tokens(5, 61, 11)));
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            Generator javaEngine = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.JAVA);
            Generator djl = new Generator(model.decoder(), model.specialTokens(), DecodeEngine.DJL);
            List<List<GeneratedSequence>> before = new java.util.ArrayList<>();
            for (List<int[]> prompts : batches) {
                before.add(javaEngine.generate(prompts, GenerationConfig.greedy(12), 0));
            }
            try (NDManager m = NDManager.newBaseManager()) {
                SplittableRandom r = new SplittableRandom(3);
                for (Parameter p : model.decoder().parameters()) {
                    float[] noise = new float[(int) p.array().size()];
                    for (int i = 0; i < noise.length; i++) {
                        noise[i] = (float) (r.nextGaussian() * 0.3);
                    }
                    p.array().addi(m.create(noise, p.array().getShape()));
                }
            }
            for (int b = 0; b < batches.size(); b++) {
                List<int[]> prompts = batches.get(b);
                List<GeneratedSequence> after = javaEngine.generate(prompts, GenerationConfig.greedy(12), 0);
                List<GeneratedSequence> reference = djl.generate(prompts, GenerationConfig.greedy(12), 0);
                boolean changed = false;
                for (int i = 0; i < prompts.size(); i++) {
                    assertThat(after.get(i).completionIds()).as("%d rows, row %d", prompts.size(), i)
                            .containsExactly(reference.get(i).completionIds());
                    changed |= !java.util.Arrays.equals(after.get(i).completionIds(),
                            before.get(b).get(i).completionIds());
                }
                assertThat(changed).as("the perturbation changes some completion of %d rows", prompts.size()).isTrue();
            }
        }
    }

    @Test
    void twoModelsDecodingAtOnceDoNotInterfere() throws Exception {
        ModelConfig a = noEos(TinyCheckpoints.tinyLlama());
        ModelConfig b = noEos(TinyCheckpoints.tinyQwen2());
        List<int[]> prompts = new ArrayList<>();
        for (int p = 0; p < 9; p++) {
            prompts.add(tokens(2 + p, 61, 40 + p));
        }
        GenerationConfig sampling = GenerationConfig.sampling(30, 0.9, 1).withNumReturnSequences(2);
        try (LanguageModel first = TinyModels.create(a, 1); LanguageModel second = TinyModels.create(b, 2)) {
            List<GeneratedSequence> aloneFirst = first.generate(prompts, sampling, 0);
            List<GeneratedSequence> aloneSecond = second.generate(prompts, sampling, 0);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 3; round++) {
                    Future<List<GeneratedSequence>> f = pool.submit(() -> first.generate(prompts, sampling, 0));
                    Future<List<GeneratedSequence>> s = pool.submit(() -> second.generate(prompts, sampling, 0));
                    assertSame(f.get(), aloneFirst);
                    assertSame(s.get(), aloneSecond);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static void assertSame(List<GeneratedSequence> actual, List<GeneratedSequence> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).completionIds()).as("row %d", i).containsExactly(expected.get(i).completionIds());
        }
    }

    @Test
    void theJavaEngineSaysWhyItDoesNotApply() {
        try (LanguageModel gpt2 = TinyModels.create(TinyCheckpoints.tinyGpt2(), SEED)) {
            assertThatThrownBy(() -> new Generator(gpt2.decoder(), gpt2.specialTokens(), DecodeEngine.JAVA)
                    .generate(List.of(new int[] {1}), GenerationConfig.greedy(2), 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("Llama and Qwen2");
            // AUTO falls back to DJL
            assertThat(gpt2.generate(List.of(new int[] {1}), GenerationConfig.greedy(2), 0)).hasSize(1);
        }
        try (LanguageModel llama = TinyModels.create(noEos(TinyCheckpoints.tinyLlama()), SEED)) {
            llama.addAdapters(LoraConfig.parse("r=2,alpha=4,dropout=0.1,targets=q_proj,v_proj"), 1);
            Generator javaEngine = new Generator(llama.decoder(), llama.specialTokens(), DecodeEngine.JAVA);
            llama.decoder().adapters().setTraining(true);
            assertThatThrownBy(() -> javaEngine.generate(List.of(new int[] {1}), GenerationConfig.greedy(2), 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("training mode");
            llama.decoder().adapters().setTraining(false);
            assertThat(javaEngine.generate(List.of(new int[] {1}), GenerationConfig.greedy(2), 0)).hasSize(1);
        }
    }

    @Test
    void theEngineSystemPropertyIsValidated() {
        String before = System.getProperty("jalign.decode.engine");
        try {
            System.setProperty("jalign.decode.engine", "djl");
            assertThat(DecodeEngine.fromSystemProperty()).isEqualTo(DecodeEngine.DJL);
            System.setProperty("jalign.decode.engine", "cuda");
            assertThatThrownBy(DecodeEngine::fromSystemProperty).hasMessageContaining("auto, djl or java");
        } finally {
            if (before == null) {
                System.clearProperty("jalign.decode.engine");
            } else {
                System.setProperty("jalign.decode.engine", before);
            }
        }
    }
}
