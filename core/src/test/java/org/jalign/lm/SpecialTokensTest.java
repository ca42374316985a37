package org.jalign.lm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jalign.lm.TinyTokenizer.BOS;
import static org.jalign.lm.TinyTokenizer.EOS;
import static org.jalign.lm.TinyTokenizer.PAD;
import static org.jalign.lm.TinyTokenizer.id;

/**
 * {@link SpecialTokens#resolve}: field by field, generation_config.json, then tokenizer_config.json
 * (token strings looked up in tokenizer.json), then config.json; pad then falls back to the first
 * EOS and then 0. The tiny vocabulary has 20 tokens: {@code <pad>}=0, {@code <bos>}=1, {@code <eos>}=2.
 */
class SpecialTokensTest {

    @TempDir
    Path dir;

    private HfTokenizer tokenizer;

    /** config.json's own ids, all different from the tokenizer's, so the test sees which source won. */
    private final ModelConfig config = TinyTokenizer.llamaConfig(id("the"), List.of(id(".")), id("a"));
    private final ModelConfig bare = TinyTokenizer.llamaConfig(-1, List.of(), -1);

    @BeforeEach
    void tokenizer() throws IOException {
        tokenizer = HfTokenizer.load(TinyTokenizer.write(dir));
    }

    @AfterEach
    void close() {
        tokenizer.close();
    }

    private void file(String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json);
    }

    private SpecialTokens resolve(ModelConfig modelConfig) throws IOException {
        return SpecialTokens.resolve(dir, modelConfig, tokenizer);
    }

    // --- Resolution order.

    @Test
    void configJsonAloneWhenNoOtherFileNamesAnId() throws IOException {
        assertThat(resolve(config)).isEqualTo(new SpecialTokens(id("the"), List.of(id(".")), id("a")));
        assertThat(SpecialTokens.of(config)).isEqualTo(resolve(config));
    }

    @Test
    void generationConfigComesFirstWithAnIntEos() throws IOException {
        file("generation_config.json", "{\"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": 0}");
        file("tokenizer_config.json", "{\"bos_token\": \"cat\", \"eos_token\": \"dog\", \"pad_token\": \"mat\"}");
        assertThat(resolve(config)).isEqualTo(new SpecialTokens(BOS, List.of(EOS), PAD));
    }

    @Test
    void generationConfigEosMayBeAList() throws IOException {
        // Llama 3 style: several ids end a sequence; the first is the pad fallback.
        file("generation_config.json", "{\"bos_token_id\": 1, \"eos_token_id\": [2, 19]}");
        SpecialTokens tokens = resolve(bare);
        assertThat(tokens.eosIds()).containsExactly(EOS, id("!"));
        assertThat(tokens.isEos(19)).isTrue();
        assertThat(tokens.isEos(1)).isFalse();
        assertThat(tokens.padId()).isEqualTo(EOS);
    }

    @Test
    void tokenizerConfigNamesTokensAsStrings() throws IOException {
        file("tokenizer_config.json", "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
        assertThat(resolve(config)).isEqualTo(new SpecialTokens(BOS, List.of(EOS), PAD));
    }

    @Test
    void tokenizerConfigNamesTokensAsAddedTokenObjects() throws IOException {
        // As transformers saves an AddedToken: {"__type": "AddedToken", "content": ..., "lstrip": ...}.
        file("tokenizer_config.json", """
                {"add_bos_token": true,
                 "bos_token": {"__type": "AddedToken", "content": "<bos>", "lstrip": false, "normalized": false,
                               "rstrip": false, "single_word": false},
                 "eos_token": {"content": "<eos>"},
                 "pad_token": null,
                 "unk_token": {"content": "<unk>"}}
                """);
        // pad_token null falls through to config.json's pad.
        assertThat(resolve(config)).isEqualTo(new SpecialTokens(BOS, List.of(EOS), id("a")));
    }

    @Test
    void eachFieldIsResolvedOnItsOwn() throws IOException {
        // bos from generation_config, eos from tokenizer_config, pad from config.json.
        file("generation_config.json", "{\"bos_token_id\": 9, \"pad_token_id\": null}");
        file("tokenizer_config.json", "{\"eos_token\": \"<eos>\"}");
        assertThat(resolve(config)).isEqualTo(new SpecialTokens(9, List.of(EOS), id("a")));
    }

    @Test
    void anEmptyEosListInGenerationConfigFallsThrough() throws IOException {
        file("generation_config.json", "{\"eos_token_id\": []}");
        file("tokenizer_config.json", "{\"eos_token\": \"<eos>\"}");
        assertThat(resolve(config).eosIds()).containsExactly(EOS);
    }

    @Test
    void tokenizerConfigIsIgnoredWithoutATokenizer() throws IOException {
        // Token strings cannot be looked up without tokenizer.json.
        file("tokenizer_config.json", "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\"}");
        assertThat(SpecialTokens.resolve(dir, config, null)).isEqualTo(SpecialTokens.of(config));
    }

    @Test
    void padFallsBackToTheFirstEosThenZero() throws IOException {
        assertThat(resolve(TinyTokenizer.llamaConfig(1, List.of(5, 6), -1)).padId()).isEqualTo(5);
        SpecialTokens none = resolve(bare);
        assertThat(none.padId()).isZero();
        assertThat(none.bosId()).isEqualTo(-1);
        assertThat(none.eosIds()).isEmpty();
    }

    // --- Errors: each names the file and what was wrong.

    @Test
    void aTokenAbsentFromTokenizerJsonIsAnError() throws IOException {
        file("tokenizer_config.json", "{\"bos_token\": \"<s>\"}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("bos_token names token \"<s>\", which tokenizer.json does not contain");
    }

    @Test
    void aWrongTypedTokenFieldIsAnError() throws IOException {
        for (String value : new String[] {"5", "[\"<eos>\"]", "{\"lstrip\": true}", "{\"content\": null}",
            "{\"content\": {\"text\": \"<eos>\"}}"}) {
            file("tokenizer_config.json", "{\"eos_token\": " + value + "}");
            assertThatThrownBy(() -> resolve(config)).as(value)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                    .hasMessageContaining("eos_token");
        }
    }

    @Test
    void malformedJsonIsAnErrorNamingTheFile() throws IOException {
        for (String name : new String[] {"generation_config.json", "tokenizer_config.json"}) {
            Path other = dir.resolve(name.startsWith("g") ? "tokenizer_config.json" : "generation_config.json");
            Files.deleteIfExists(other);
            for (String text : new String[] {"{\"eos_token_id\": ", "[2]", "", "{\"a\": 1}}"}) {
                file(name, text);
                assertThatThrownBy(() -> resolve(config)).as(name + ": " + text)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(dir.resolve(name).toString());
            }
            Files.delete(dir.resolve(name));
        }
    }

    @Test
    void invalidUtf8IsAnErrorNamingTheFile() throws IOException {
        Files.write(dir.resolve("generation_config.json"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("generation_config.json").toString());
    }

    @Test
    void wrongTypedIdsInGenerationConfigAreErrorsNamingFileAndField() throws IOException {
        file("generation_config.json", "{\"eos_token_id\": \"two\"}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("generation_config.json").toString())
                .hasMessageContaining("eos_token_id");
        file("generation_config.json", "{\"bos_token_id\": [\"one\"]}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bos_token_id");
    }

    @Test
    void anEosIdOutsideTheVocabularyIsAnError() throws IOException {
        file("generation_config.json", "{\"eos_token_id\": [2, 20]}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("eos token id 20 is outside the vocabulary [0, 20)");
    }

    @Test
    void bosAndPadIdsOutsideTheVocabularyAreErrorsToo() throws IOException {
        // The pad id fills the left of short sequences and goes through the embedding; BOS starts every prompt.
        file("generation_config.json", "{\"pad_token_id\": 20}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("pad token id 20 is outside the vocabulary [0, 20)");
        file("generation_config.json", "{\"bos_token_id\": 25}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bos token id 25 is outside the vocabulary [0, 20)");
    }

    @Test
    void anAddedTokenBeyondTheModelsVocabularyIsAnError() throws IOException {
        // tokenizer.json may list added tokens the checkpoint's embedding has no row for.
        tokenizer.close();
        file("tokenizer.json", TinyTokenizer.json().replace("\"added_tokens\": [",
                "\"added_tokens\": [\n    {\"id\": 20, \"content\": \"<|end|>\", \"single_word\": false, \"lstrip\": false, "
                        + "\"rstrip\": false, \"normalized\": false, \"special\": true},"));
        tokenizer = HfTokenizer.load(dir);
        file("tokenizer_config.json", "{\"eos_token\": \"<|end|>\"}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("eos token id 20 is outside the vocabulary [0, 20)");
        file("tokenizer_config.json", "{\"pad_token\": \"<|end|>\"}");
        assertThatThrownBy(() -> resolve(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("pad token id 20 is outside the vocabulary [0, 20)");
    }

    @Test
    void withBosPrependsTheBosIdUnlessTheIdsAlreadyStartWithIt() {
        SpecialTokens withBos = new SpecialTokens(1, List.of(2), 0);
        assertThat(withBos.withBos(new int[] {5, 6})).containsExactly(1, 5, 6);
        assertThat(withBos.withBos(new int[] {1, 5})).containsExactly(1, 5);
        // only a leading BOS counts: one further in is text that happens to encode to it
        assertThat(withBos.withBos(new int[] {5, 1})).containsExactly(1, 5, 1);
        // an empty encoding becomes the prompt "BOS", which a model can continue
        assertThat(withBos.withBos(new int[] {})).containsExactly(1);
    }

    @Test
    void withBosLeavesTheIdsAloneWhenTheModelHasNoBos() {
        SpecialTokens noBos = new SpecialTokens(-1, List.of(2), 0);
        int[] ids = {5, 6};
        assertThat(noBos.withBos(ids)).isSameAs(ids);
        assertThat(noBos.withBos(new int[] {})).isEmpty();
    }
}
