package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.lm.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production blocks (fused projections, batched DJL ops, KV cache) against the plain float64
 * {@link ReferenceTransformer} written straight from the equations.
 */
class ModelAgainstReferenceTest {
    private static final long SEED = 42;

    private static int[] randomTokens(int length, int vocab, long seed) {
        return new SplittableRandom(seed).ints(length, 3, vocab).toArray();
    }

    /** |a − b| ≤ 1e-4·max(1, |b|) elementwise: float32 arithmetic against float64. */
    private static void assertClose(float[] actual, double[] expected, String what) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-4 * Math.max(1, Math.abs(expected[i]));
            assertThat((double) actual[i]).as("%s [%d]", what, i).isCloseTo(expected[i],
                    org.assertj.core.api.Assertions.within(tolerance));
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void fullForwardLogitsMatchTheReference(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, SEED);
        int[] tokens = randomTokens(12, config.vocabSize(), 1);
        double[][] expected = ReferenceTransformer.logits(config, weights, tokens);
        try (LanguageModel model = TinyModels.create(config, SEED); NDManager m = NDManager.newBaseManager()) {
            long[] ids = new long[tokens.length];
            long[] positions = new long[tokens.length];
            float[] mask = new float[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                ids[i] = tokens[i];
                positions[i] = i;
                mask[i] = 1;
            }
            DecoderModel decoder = model.decoder();
            NDArray logits = decoder.logits(decoder.hiddenStates(m.create(ids, new Shape(1, tokens.length)),
                    m.create(positions, new Shape(1, tokens.length)), m.create(mask, new Shape(1, tokens.length)), null));
            float[] actual = logits.toFloatArray();
            int vocab = config.vocabSize();
            for (int t = 0; t < tokens.length; t++) {
                assertClose(java.util.Arrays.copyOfRange(actual, t * vocab, (t + 1) * vocab), expected[t],
                        architecture + " logits at position " + t);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void cachedGreedyDecodingMatchesTheReferencesFullRecompute(Architecture architecture) {
        ModelConfig config = TinyModels.config(architecture).withSpecialTokens(1, List.of(), -1);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, SEED);
        int[] prompt = randomTokens(5, config.vocabSize(), 2);
        int[] expected = ReferenceTransformer.greedy(config, weights, prompt, 24);
        try (LanguageModel model = TinyModels.create(config, SEED)) {
            GeneratedSequence out = model.generate(List.of(prompt), GenerationConfig.greedy(24), 0).get(0);
            assertThat(out.completionIds()).containsExactly(expected);
            assertThat(out.finishedByEos()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logProbsFromACheckpointOnDiskMatchTheReference(Architecture architecture, @TempDir Path dir) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        String prefix = architecture == Architecture.GPT2 ? "transformer." : "";
        TinyCheckpoints.write(dir, config, SEED, prefix, DType.F32);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, SEED);
        List<int[]> sequences = List.of(randomTokens(9, config.vocabSize(), 3), randomTokens(4, config.vocabSize(), 4));
        try (LanguageModel model = LanguageModel.load(dir)) {
            float[][] actual = model.logProbs(sequences);
            for (int s = 0; s < sequences.size(); s++) {
                assertClose(actual[s], ReferenceTransformer.tokenLogProbs(config, weights, sequences.get(s)),
                        architecture + " sequence " + s);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfPrecisionCheckpointsComputeInFloat32OnTheRoundedWeights(DType dtype, @TempDir Path dir) throws Exception {
        ModelConfig config = TinyCheckpoints.tinyQwen2();
        TinyCheckpoints.write(dir, config, SEED, "", dtype);
        Map<String, float[]> rounded = TinyCheckpoints.randomWeights(config, SEED);
        for (float[] values : rounded.values()) {
            for (int i = 0; i < values.length; i++) {
                values[i] = dtype == DType.BF16
                        ? SafetensorsFile.bfloat16ToFloat(SafetensorsWriter.floatToBFloat16(values[i]))
                        : SafetensorsFile.float16ToFloat(SafetensorsWriter.floatToFloat16(values[i]));
            }
        }
        int[] sequence = randomTokens(10, config.vocabSize(), 5);
        try (LanguageModel model = LanguageModel.load(dir)) {
            assertClose(model.logProbs(List.of(sequence))[0],
                    ReferenceTransformer.tokenLogProbs(config, rounded, sequence), dtype + " log-probs");
        }
    }
}
