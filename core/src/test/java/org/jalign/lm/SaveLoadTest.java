package org.jalign.lm;

import org.jalign.lm.safetensors.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A saved model is the loaded one, bit for bit, in the layout Hugging Face writes. */
class SaveLoadTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void savedTensorsAreTheOriginalsUnderTheirHfNames(Architecture architecture, @TempDir Path tmp) throws Exception {
        ModelConfig config = TinyModels.config(architecture);
        Path original = TinyCheckpoints.write(tmp.resolve("original"), config, 11);
        Map<String, float[]> expected = TinyCheckpoints.randomWeights(config, 11);
        try (LanguageModel model = LanguageModel.load(original)) {
            model.save(tmp.resolve("saved"));
        }
        try (Checkpoint saved = Checkpoint.open(tmp.resolve("saved"))) {
            assertThat(saved.names()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                assertThat(saved.readFloats(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
                assertThat(saved.info(e.getKey()).shape()).isEqualTo(TinyCheckpoints.shapes(config).get(e.getKey()));
            }
        }
        assertThat(ModelConfig.load(tmp.resolve("saved"))).isEqualTo(config);
    }

    @Test
    void reloadedModelGivesIdenticalLogProbsAndTheCompanionFilesFollow(@TempDir Path tmp) throws Exception {
        ModelConfig config = TinyCheckpoints.tinyLlama();
        Path original = TinyCheckpoints.write(tmp.resolve("original"), config, 12);
        Files.writeString(original.resolve("generation_config.json"), "{\"eos_token_id\": 5}");
        List<int[]> sequences = List.of(new int[] {1, 7, 9, 4, 30}, new int[] {1, 60, 2});
        float[][] before;
        try (LanguageModel model = LanguageModel.load(original)) {
            before = model.logProbs(sequences);
            model.save(tmp.resolve("saved"));
            model.save(tmp.resolve("saved")); // replacing an existing save leaves a complete one
        }
        assertThat(tmp.resolve("saved/generation_config.json")).hasContent("{\"eos_token_id\": 5}");
        try (LanguageModel reloaded = LanguageModel.load(tmp.resolve("saved"))) {
            float[][] after = reloaded.logProbs(sequences);
            for (int s = 0; s < sequences.size(); s++) {
                assertThat(after[s]).containsExactly(before[s]);
            }
            assertThat(reloaded.specialTokens().eosIds()).containsExactly(5);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("original", "saved");
        }
    }
}
