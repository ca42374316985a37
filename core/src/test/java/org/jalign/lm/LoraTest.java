package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.lora.LoraAdapters;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** LoRA against the float64 reference run on weights merged by hand: W + (α/r)·B·A. */
class LoraTest {
    private static final List<int[]> SEQUENCES = List.of(new int[] {1, 5, 9, 14, 20, 7}, new int[] {1, 33, 2});

    private static LoraConfig configFor(Architecture a) {
        return a == Architecture.GPT2
                ? new LoraConfig(4, 8, 0, List.of("c_attn", "c_fc"))
                : new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj"));
    }

    /** Gives every B random values so the adapters change the model. */
    static void randomiseB(LoraAdapters adapters, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Parameter p : adapters.parameters()) {
            if (p.name().endsWith("lora_B.weight")) {
                NDArray b = p.array();
                float[] values = new float[(int) b.getShape().size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * 0.2);
                }
                b.set(values);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void adaptersComputeTheReferenceOnHandMergedWeights(Architecture architecture) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 31);
        try (LanguageModel model = LanguageModel.of(config, TensorSource.of(weights, TinyCheckpoints.shapes(config)))) {
            float[][] base = model.logProbs(SEQUENCES);
            LoraAdapters adapters = model.addAdapters(configFor(architecture), 3);
            // B = 0 at initialisation: exactly the base
            float[][] fresh = model.logProbs(SEQUENCES);
            for (int s = 0; s < SEQUENCES.size(); s++) {
                assertThat(fresh[s]).containsExactly(base[s]);
            }
            randomiseB(adapters, 4);
            float[][] adapted = model.logProbs(SEQUENCES);
            // independent: merge by hand in double, then the float64 reference
            Map<String, float[]> merged = mergeByHand(architecture, weights, adapters);
            for (int s = 0; s < SEQUENCES.size(); s++) {
                double[] expected = ReferenceTransformer.tokenLogProbs(config, merged, SEQUENCES.get(s));
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) adapted[s][i]).isCloseTo(expected[i], within(1e-4 * Math.max(1, Math.abs(expected[i]))));
                }
                assertThat(adapted[s]).isNotEqualTo(base[s]);
            }
            // switched off: the base again, exactly (PPO's reference model)
            try (AutoCloseable off = model.adaptersDisabled()) {
                float[][] reference = model.logProbs(SEQUENCES);
                for (int s = 0; s < SEQUENCES.size(); s++) {
                    assertThat(reference[s]).containsExactly(base[s]);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(model.logProbs(SEQUENCES)[0]).containsExactly(adapted[0]);
            // merged into the base: the same function, no adapters left
            model.mergeAdapters();
            assertThat(model.decoder().adapters()).isNull();
            float[][] afterMerge = model.logProbs(SEQUENCES);
            for (int s = 0; s < SEQUENCES.size(); s++) {
                for (int i = 0; i < afterMerge[s].length; i++) {
                    assertThat(afterMerge[s][i]).isCloseTo(adapted[s][i], within(1e-5f));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void adapterGradientsMatchFiniteDifferencesOfTheReference(Architecture architecture) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 51);
        int[] sequence = SEQUENCES.get(0);
        try (LanguageModel model = LanguageModel.of(config, TensorSource.of(weights, TinyCheckpoints.shapes(config)));
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            LoraAdapters adapters = model.addAdapters(configFor(architecture), 9);
            randomiseB(adapters, 10);
            for (Parameter p : adapters.parameters()) {
                p.array().setRequiresGradient(true);
            }
            // −Σ log p(sequence) through the production path, differentiated by autograd
            try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                long[] ids = java.util.Arrays.stream(sequence).asLongStream().toArray();
                long[] positions = java.util.stream.LongStream.range(0, ids.length).toArray();
                DecoderModel d = model.decoder();
                NDArray input = m.create(ids, new ai.djl.ndarray.types.Shape(1, ids.length));
                NDArray hidden = d.hiddenStates(input, m.create(positions, new ai.djl.ndarray.types.Shape(1, ids.length)),
                        m.ones(new ai.djl.ndarray.types.Shape(1, ids.length)), null);
                NDArray logits = d.logits(hidden.get(":, :-1, :"));
                collector.backward(TokenLogProbs.selected(logits, input.get(":, 1:"), 1.0).sum().neg());
            }
            SplittableRandom random = new SplittableRandom(12);
            for (Parameter p : adapters.parameters()) {
                float[] values = p.array().toFloatArray();
                float[] gradient = p.array().getGradient().toFloatArray();
                for (int probe = 0; probe < 2; probe++) {
                    int index = random.nextInt(values.length);
                    double h = 1e-2;
                    double[] loss = new double[2];
                    for (int side = 0; side < 2; side++) {
                        float[] moved = values.clone();
                        moved[index] += (float) (side == 0 ? h : -h);
                        p.array().set(moved);
                        double sum = 0;
                        for (double lp : ReferenceTransformer.tokenLogProbs(config, mergeByHand(architecture, weights, adapters), sequence)) {
                            sum += lp;
                        }
                        loss[side] = -sum;
                    }
                    p.array().set(values);
                    double expected = (loss[0] - loss[1]) / (2 * h);
                    assertThat((double) gradient[index]).as("%s %s[%d]", architecture, p.name(), index)
                            .isCloseTo(expected, within(2e-3 * Math.max(1, Math.abs(expected))));
                }
            }
        }
    }

    /** W + (α/r)·B·A for each adapted module, in double; Conv1D weights [in, out] get the transpose. */
    static Map<String, float[]> mergeByHand(Architecture architecture, Map<String, float[]> weights,
                                                    LoraAdapters adapters) {
        Map<String, float[]> merged = new HashMap<>();
        weights.forEach((k, v) -> merged.put(k, v.clone()));
        Map<String, NDArray> byName = new HashMap<>();
        adapters.parameters().forEach(p -> byName.put(p.name(), p.array()));
        double scale = adapters.config().scale();
        for (String module : adapters.modules()) {
            float[] a = byName.get("base_model.model." + module + ".lora_A.weight").toFloatArray();
            NDArray bArray = byName.get("base_model.model." + module + ".lora_B.weight");
            float[] b = bArray.toFloatArray();
            int rank = (int) bArray.getShape().get(1);
            int out = (int) bArray.getShape().get(0);
            int in = a.length / rank;
            String weightName = (architecture == Architecture.GPT2 ? module.substring("transformer.".length()) : module)
                    + ".weight";
            float[] w = merged.get(weightName);
            assertThat(w).as(weightName).isNotNull().hasSize(in * out);
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < in; j++) {
                    double d = 0;
                    for (int r = 0; r < rank; r++) {
                        d += (double) b[o * rank + r] * a[r * in + j];
                    }
                    int index = architecture == Architecture.GPT2 ? j * out + o : o * in + j;
                    w[index] = (float) (w[index] + scale * d);
                }
            }
        }
        return merged;
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void peftFormatRoundTrips(Architecture architecture, @TempDir Path dir) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        float[][] adapted;
        try (LanguageModel model = TinyModels.create(config, 41)) {
            randomiseB(model.addAdapters(configFor(architecture), 5), 6);
            adapted = model.logProbs(SEQUENCES);
            model.saveAdapters(dir);
        }
        JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json"))).getAsJsonObject();
        assertThat(json.get("peft_type").getAsString()).isEqualTo("LORA");
        assertThat(json.get("r").getAsInt()).isEqualTo(4);
        assertThat(json.get("lora_alpha").getAsDouble()).isEqualTo(8.0);
        assertThat(json.get("fan_in_fan_out").getAsBoolean()).isEqualTo(architecture == Architecture.GPT2);
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
            String key = architecture == Architecture.GPT2
                    ? "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"
                    : "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
            assertThat(file.info(key).shape()).containsExactly(4, config.hiddenSize());
            String keyB = key.replace("lora_A", "lora_B");
            long out = architecture == Architecture.GPT2 ? 3L * config.hiddenSize()
                    : (long) config.numHeads() * config.headDim();
            assertThat(file.info(keyB).shape()).containsExactly(out, 4);
        }
        try (LanguageModel fresh = TinyModels.create(config, 41)) {
            fresh.loadAdapters(dir);
            float[][] reloaded = fresh.logProbs(SEQUENCES);
            for (int s = 0; s < SEQUENCES.size(); s++) {
                assertThat(reloaded[s]).containsExactly(adapted[s]);
            }
        }
    }

    @Test
    void badConfigsAndAdaptersFailClearly(@TempDir Path dir) throws Exception {
        assertThat(LoraConfig.parse("r=8,alpha=16,targets=q_proj,v_proj")).isEqualTo(
                new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj")));
        assertThat(LoraConfig.parse("r=4").alpha()).isEqualTo(8.0);
        assertThatThrownBy(() -> LoraConfig.parse("r=0")).hasMessageContaining("lora.rank must be >= 1, got 0");
        assertThatThrownBy(() -> LoraConfig.parse("rank=x")).hasMessageContaining("rank must be a number");
        assertThatThrownBy(() -> LoraConfig.parse("r=4,size=3")).hasMessageContaining("unknown key \"size\"");
        try (LanguageModel model = TinyModels.create(TinyCheckpoints.tinyLlama(), 1)) {
            assertThatThrownBy(() -> model.addAdapters(new LoraConfig(2, 4, 0, List.of("c_attn")), 1))
                    .hasMessageContaining("match no projection").hasMessageContaining("q_proj");
            assertThatThrownBy(() -> model.loadAdapters(dir)).hasMessageContaining("no adapter_config.json");
            model.addAdapters(new LoraConfig(2, 4, 0, List.of("q_proj")), 1);
            assertThatThrownBy(() -> model.save(dir.resolve("full"))).hasMessageContaining("mergeAdapters() first");
            model.saveAdapters(dir.resolve("adapter"));
        }
        try (LanguageModel other = TinyModels.create(TinyCheckpoints.tinyGpt2(), 1)) {
            assertThatThrownBy(() -> other.loadAdapters(dir.resolve("adapter")))
                    .hasMessageContaining("matches no projection of this model");
        }
    }
}
