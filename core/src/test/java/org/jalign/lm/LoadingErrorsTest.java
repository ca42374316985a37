package org.jalign.lm;

import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad model directories fail with a message naming the file, the tensor and what was expected. */
class LoadingErrorsTest {

    @Test
    void missingDirectoryOrWeights(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> LanguageModel.load(dir.resolve("nope")))
                .hasMessageContaining("does not exist or is not a directory");
        Files.writeString(dir.resolve("config.json"), TinyCheckpoints.tinyLlama().toJson());
        assertThatThrownBy(() -> LanguageModel.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape(@TempDir Path dir) throws IOException {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        writeWithout(dir, config, "model.layers.1.mlp.up_proj.weight", null);
        assertThatThrownBy(() -> LanguageModel.load(dir))
                .hasMessageContaining("missing tensor \"model.layers.1.mlp.up_proj.weight\" (expected shape [48, 32])");
    }

    @Test
    void wrongShapeIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        writeWithout(dir, config, "model.layers.0.self_attn.k_proj.weight", new long[] {32, 16});
        assertThatThrownBy(() -> LanguageModel.load(dir))
                .hasMessageContaining("tensor \"model.layers.0.self_attn.k_proj.weight\" has shape [32, 16] "
                        + "but the config implies [16, 32]");
    }

    @Test
    void truncatedWeightsFailCleanly(@TempDir Path dir) throws IOException {
        TinyCheckpoints.write(dir, TinyCheckpoints.tinyGpt2(), 1);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> LanguageModel.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors");
    }

    /** Writes a checkpoint with {@code name} left out, or stored with {@code shape} when given. */
    private static void writeWithout(Path dir, ModelConfig config, String name, long[] shape) throws IOException {
        Files.writeString(dir.resolve("config.json"), config.toJson());
        Map<String, float[]> weights = TinyCheckpoints.randomWeights(config, 3);
        Map<String, long[]> shapes = TinyCheckpoints.shapes(config);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, float[]> w : weights.entrySet()) {
            if (w.getKey().equals(name)) {
                if (shape == null) {
                    continue;
                }
                entries.add(new SafetensorsWriter.Entry(name, DType.F32, shape, new float[(int) (shape[0] * shape[1])]));
            } else {
                entries.add(new SafetensorsWriter.Entry(w.getKey(), DType.F32, shapes.get(w.getKey()), w.getValue()));
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of());
    }
}
