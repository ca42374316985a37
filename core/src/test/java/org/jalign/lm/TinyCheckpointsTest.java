package org.jalign.lm;

import org.jalign.lm.safetensors.Checkpoint;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.lm.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TinyCheckpointsTest {

    @TempDir
    Path dir;

    private static final List<ModelConfig> CONFIGS =
            List.of(TinyCheckpoints.tinyLlama(), TinyCheckpoints.tinyQwen2(), TinyCheckpoints.tinyGpt2());

    /** ModelConfig.parameterCount() is an independent count of the same architecture. */
    @Test
    void shapesAddUpToTheConfigsParameterCount() {
        for (ModelConfig config : CONFIGS) {
            long total = 0;
            for (long[] shape : TinyCheckpoints.shapes(config).values()) {
                long n = 1;
                for (long d : shape) {
                    n *= d;
                }
                total += n;
            }
            assertThat(total).as(config.architecture().toString()).isEqualTo(config.parameterCount());
        }
    }

    @Test
    void shapesFollowTheConfigFlags() {
        Map<String, long[]> qwen = TinyCheckpoints.shapes(TinyCheckpoints.tinyQwen2());
        assertThat(qwen).containsKeys("model.layers.1.self_attn.q_proj.bias", "model.layers.0.self_attn.v_proj.bias")
                .doesNotContainKeys("lm_head.weight", "model.layers.0.self_attn.o_proj.bias", "model.layers.0.mlp.up_proj.bias");
        assertThat(qwen.get("model.layers.0.self_attn.k_proj.weight")).containsExactly(16, 32);
        Map<String, long[]> llama = TinyCheckpoints.shapes(TinyCheckpoints.tinyLlama());
        assertThat(llama).containsKey("lm_head.weight").doesNotContainKey("model.layers.0.self_attn.q_proj.bias");
        assertThat(llama.get("model.layers.0.mlp.down_proj.weight")).containsExactly(32, 48);
        Map<String, long[]> gpt2 = TinyCheckpoints.shapes(TinyCheckpoints.tinyGpt2());
        assertThat(gpt2.get("h.0.attn.c_attn.weight")).containsExactly(32, 96);
        assertThat(gpt2.get("wpe.weight")).containsExactly(64, 32);
        assertThat(gpt2).doesNotContainKey("lm_head.weight");
    }

    @Test
    void writtenCheckpointsLoadBackWithExactlyTheseShapesAndValues() throws IOException {
        for (ModelConfig config : CONFIGS) {
            Path modelDir = TinyCheckpoints.write(dir.resolve(config.architecture().modelType()), config, 5);
            assertThat(ModelConfig.load(modelDir)).isEqualTo(config);
            Map<String, long[]> shapes = TinyCheckpoints.shapes(config);
            Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 5);
            try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
                assertThat(checkpoint.names()).containsExactlyElementsOf(shapes.keySet());
                for (var e : shapes.entrySet()) {
                    assertThat(checkpoint.info(e.getKey()).dtype()).isEqualTo(DType.F32);
                    assertThat(checkpoint.info(e.getKey()).shape()).as(e.getKey()).containsExactly(e.getValue());
                    assertThat(checkpoint.readFloats(e.getKey())).containsExactly(weights.get(e.getKey()));
                }
            }
        }
    }

    @Test
    void prefixedBf16Gpt2() throws IOException {
        ModelConfig config = TinyCheckpoints.tinyGpt2();
        Path modelDir = TinyCheckpoints.write(dir, config, 9, "transformer.", DType.BF16);
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 9);
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            assertThat(checkpoint.names()).allMatch(n -> n.startsWith("transformer."));
            float[] wte = checkpoint.readFloats("transformer.wte.weight");
            assertThat(checkpoint.info("transformer.wte.weight").dtype()).isEqualTo(DType.BF16);
            float[] expected = weights.get("wte.weight");
            for (int i = 0; i < wte.length; i++) {
                // bf16 keeps 8 significant bits (7 stored): round-to-nearest is within 2^-8 relative.
                assertThat(wte[i]).isCloseTo(expected[i], within(Math.abs(expected[i]) * 0x1p-8f));
                assertThat(wte[i]).isEqualTo(SafetensorsFile.bfloat16ToFloat(SafetensorsWriter.floatToBFloat16(expected[i])));
            }
        }
    }

    @Test
    void valuesHaveTheDocumentedScaleAndAreDeterministic() {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        Map<String, float[]> a = TinyCheckpoints.randomWeights(config, 3);
        Map<String, float[]> b = TinyCheckpoints.randomWeights(config, 3);
        Map<String, float[]> other = TinyCheckpoints.randomWeights(config, 4);
        assertThat(a.get("model.embed_tokens.weight")).containsExactly(b.get("model.embed_tokens.weight"));
        assertThat(a.get("model.embed_tokens.weight")).isNotEqualTo(other.get("model.embed_tokens.weight"));
        float[] embed = a.get("model.embed_tokens.weight"); // 61·32 = 1952 draws of N(0, 0.3)
        assertThat(std(embed, 0)).isCloseTo(0.3, within(0.02));
        float[] norm = a.get("model.layers.0.input_layernorm.weight");
        assertThat(mean(norm)).isCloseTo(1.0, within(0.06));
        float[] small = TinyCheckpoints.randomWeights(config, 3, 0.02).get("model.embed_tokens.weight");
        assertThat(std(small, 0)).isCloseTo(0.02, within(0.002));
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double std(float[] x, double mean) {
        double s = 0;
        for (float v : x) {
            s += (v - mean) * (v - mean);
        }
        return Math.sqrt(s / x.length);
    }
}
