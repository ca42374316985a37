package org.jalign.lm;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ModelConfigTest {

    private static ModelConfig parse(String json) {
        return ModelConfig.fromJson(JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void readsTheFixtureLlamaConfig() throws IOException {
        ModelConfig c = ModelConfig.load(Fixtures.llama260k());
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.hiddenSize()).isEqualTo(64);
        assertThat(c.intermediateSize()).isEqualTo(172);
        assertThat(c.numLayers()).isEqualTo(5);
        assertThat(c.numHeads()).isEqualTo(8);
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.qkvBias()).isFalse();
    }

    @Test
    void qwen2HasQkvBiasesButNoOutputBias() {
        ModelConfig c = parse("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 16, "intermediate_size": 24,
                 "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true,
                 "eos_token_id": [7, 8], "max_position_embeddings": 32}""");
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputBias()).isFalse();
        assertThat(c.eosTokenIds()).containsExactly(7, 8);
        assertThat(c.ropeTheta()).isEqualTo(1e6);
        assertThat(c.padTokenId()).isEqualTo(-1);
    }

    @Test
    void gpt2FieldsMapOntoTheCommonNames() {
        ModelConfig c = parse("""
                {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50, "n_embd": 12,
                 "n_layer": 2, "n_head": 3, "n_positions": 20, "n_inner": null, "layer_norm_epsilon": 1e-5,
                 "activation_function": "gelu_new", "bos_token_id": 49, "eos_token_id": 49}""");
        assertThat(c.architecture()).isEqualTo(Architecture.GPT2);
        assertThat(c.intermediateSize()).isEqualTo(48); // n_inner null → 4·n_embd
        assertThat(c.headDim()).isEqualTo(4);
        assertThat(c.maxPositions()).isEqualTo(20);
        assertThat(c.activation()).isEqualTo(Activation.GELU_NEW);
        assertThat(c.tieWordEmbeddings()).isTrue();
    }

    @Test
    void toJsonRoundTripsEveryFamily() {
        for (Architecture a : Architecture.values()) {
            ModelConfig c = TinyModels.config(a);
            assertThat(parse(c.toJson())).isEqualTo(c);
        }
        ModelConfig scaled = parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5,
                 "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                 "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}""");
        assertThat(parse(scaled.toJson())).isEqualTo(scaled);
        assertThat(scaled.numKeyValueHeads()).isEqualTo(2); // absent → plain multi-head attention
    }

    @Test
    void llama3RopeScalingFollowsMetasRule() {
        // hd 8, θ 10000: freqs 1, 0.1, 0.01, 0.001 → wavelengths 2π, 62.8, 628.3, 6283.2.
        // original 8192, low 1, high 4: wavelengths < 2048 are kept, > 8192 divided by 8, between
        // blended: for 6283.2, smooth = (8192/6283.185 − 1)/3 = 0.101263...;
        // f = (1 − smooth)·0.001/8 + smooth·0.001 = 0.000213608
        RopeScaling s = new RopeScaling(RopeScaling.Kind.LLAMA3, 8, 1, 4, 8192);
        double[] inv = s.inverseFrequencies(8, 10000);
        assertThat(inv[0]).isCloseTo(1.0, within(1e-15));
        assertThat(inv[1]).isCloseTo(0.1, within(1e-15));
        assertThat(inv[2]).isCloseTo(0.01, within(1e-15));
        assertThat(inv[3]).isCloseTo(0.000213608, within(1e-9));
        // original 2000 instead: band is 500..2000; wavelength 628.3 is inside:
        // smooth = (2000/628.3185 − 1)/(4 − 1) = 0.727672...; f = (1 − smooth)·0.01/8 + smooth·0.01
        RopeScaling mid = new RopeScaling(RopeScaling.Kind.LLAMA3, 8, 1, 4, 2000);
        double smooth = (2000 / (2 * Math.PI / 0.01) - 1) / 3;
        assertThat(mid.inverseFrequencies(8, 10000)[2]).isCloseTo((1 - smooth) * 0.01 / 8 + smooth * 0.01, within(1e-15));
        assertThat(mid.inverseFrequencies(8, 10000)[3]).isCloseTo(0.001 / 8, within(1e-15));
    }

    @Test
    void errorsNameTheFieldAndWhatWasExpected() {
        assertThatThrownBy(() -> parse("{\"model_type\": \"mamba\"}"))
                .hasMessageContaining("unsupported model_type \"mamba\"");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"BertModel\"]}"))
                .hasMessageContaining("unsupported architectures[0] \"BertModel\"");
        assertThatThrownBy(() -> parse("{}")).hasMessageContaining("missing field model_type");
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", \"vocab_size\": 10}"))
                .hasMessageContaining("missing field hidden_size");
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": "big", "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5}"""))
                .hasMessageContaining("field hidden_size: expected an integer, got \"big\"");
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 3, "rms_norm_eps": 1e-5}"""))
                .hasMessageContaining("must be a multiple of num_key_value_heads");
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5, "eos_token_id": 10}"""))
                .hasMessageContaining("eos_token_id must be in [0, vocab_size=10), got 10");
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5,
                 "rope_scaling": {"rope_type": "yarn", "factor": 4}}"""))
                .hasMessageContaining("unsupported rope_scaling.rope_type \"yarn\"");
        assertThatThrownBy(() -> parse("""
                {"model_type": "gpt2", "vocab_size": 10, "n_embd": 8, "n_layer": 1, "n_head": 3, "n_positions": 8}"""))
                .hasMessageContaining("n_embd (8) must be divisible by n_head (3)");
        assertThatThrownBy(() -> parse("""
                {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-6, "use_sliding_window": true}"""))
                .hasMessageContaining("use_sliding_window is true");
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8,
                 "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5, "eos_token_id": [2, 1.5]}"""))
                .hasMessageContaining("field eos_token_id: expected integers");
    }

    @Test
    void loadNamesTheFileOnBadJson(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\",");
        assertThatThrownBy(() -> ModelConfig.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("config.json").toString());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> ModelConfig.load(empty)).hasMessageContaining("no config.json in model directory");
    }

    @Test
    void specialTokenOverrideKeepsTheNetwork() {
        ModelConfig c = TinyCheckpoints.tinyLlama();
        ModelConfig d = c.withSpecialTokens(-1, List.of(5, 6), 0);
        assertThat(d.eosTokenIds()).containsExactly(5, 6);
        assertThat(d.hiddenSize()).isEqualTo(c.hiddenSize());
        assertThat(d.parameterCount()).isEqualTo(c.parameterCount());
    }

    @Test
    void sequenceClassifierClassNamesSelectTheSameBody() {
        for (Architecture a : Architecture.values()) {
            assertThat(Architecture.ofClassName(a.sequenceClassifierClassName())).isEqualTo(a);
        }
        assertThat(Architecture.LLAMA.sequenceClassifierClassName()).isEqualTo("LlamaForSequenceClassification");
        assertThat(Architecture.QWEN2.sequenceClassifierClassName()).isEqualTo("Qwen2ForSequenceClassification");
        assertThat(Architecture.GPT2.sequenceClassifierClassName()).isEqualTo("GPT2ForSequenceClassification");
        // a config without model_type is recognised by its class name alone
        ModelConfig c = parse("""
                {"architectures": ["LlamaForSequenceClassification"], "vocab_size": 10, "hidden_size": 8,
                 "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "rms_norm_eps": 1e-5,
                 "num_labels": 1}""");
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThatThrownBy(() -> parse("{\"architectures\": [\"BertForSequenceClassification\"]}"))
                .hasMessageContaining("*ForSequenceClassification twins");
    }

    @Test
    void tyingTheHeadKeepsTheBody() {
        ModelConfig c = TinyCheckpoints.tinyLlama();
        ModelConfig tied = c.withTiedWordEmbeddings(true);
        assertThat(tied.tieWordEmbeddings()).isTrue();
        assertThat(tied.withTiedWordEmbeddings(false)).isEqualTo(c);
        assertThat(c.parameterCount() - tied.parameterCount()).isEqualTo((long) c.vocabSize() * c.hiddenSize());
    }
}
