package org.jalign.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jalign.lm.TinyTokenizer.BOS;
import static org.jalign.lm.TinyTokenizer.EOS;
import static org.jalign.lm.TinyTokenizer.UNK;
import static org.jalign.lm.TinyTokenizer.id;

/** {@link HfTokenizer} on a hand-written WordLevel tokenizer.json: ids worked out from the vocabulary by hand. */
class HfTokenizerTest {

    @TempDir
    Path dir;

    private HfTokenizer load() throws IOException {
        return HfTokenizer.load(TinyTokenizer.write(dir));
    }

    @Test
    void encodesWordsAndPunctuationToTheirVocabularyIds() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            // the=4 cat=5 sat=6 on=7 the=4 mat=8 .=17; Whitespace splits "mat." into "mat", ".".
            assertThat(tokenizer.encode("the cat sat on the mat.")).containsExactly(4, 5, 6, 7, 4, 8, 17);
            // a=9 big=15 ,=18 red=16 dog=10 !=19; runs of spaces and newlines separate words alike.
            assertThat(tokenizer.encode("a  big,\nred dog!")).containsExactly(9, 15, 18, 16, 10, 19);
            assertThat(tokenizer.encode("")).isEmpty();
        }
    }

    @Test
    void addsNoSpecialTokensOfItsOwn() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            int[] ids = tokenizer.encode("dog ran");
            assertThat(ids).containsExactly(id("dog"), id("ran"));
        }
    }

    @Test
    void unknownWordsBecomeUnk() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            // "zebra" and "Cat" (case matters: there is no normalizer) are not in the vocabulary.
            assertThat(tokenizer.encode("the zebra ran to Cat")).containsExactly(4, UNK, 11, 12, UNK);
        }
    }

    @Test
    void specialTokensInTextAreMatchedAsSpecialIds() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            assertThat(tokenizer.encode("<bos> the dog <eos>")).containsExactly(BOS, 4, 10, EOS);
        }
    }

    @Test
    void decodeSkipsSpecialTokensOnlyWhenAsked() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            int[] ids = {BOS, 4, 5, 6, 17, EOS};
            // No decoder section: tokenizers joins tokens with single spaces.
            assertThat(tokenizer.decode(ids, true)).isEqualTo("the cat sat .");
            assertThat(tokenizer.decode(ids, false)).isEqualTo("<bos> the cat sat . <eos>");
            assertThat(tokenizer.decode(new int[] {UNK, 13}, true)).as("<unk> is special too").isEqualTo("park");
            assertThat(tokenizer.decode(new int[] {}, true)).isEmpty();
        }
    }

    @Test
    void decodeInvertsEncodeForKnownWords() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            String text = "the big red dog ran to the park and sat on a mat";
            assertThat(tokenizer.decode(tokenizer.encode(text), true)).isEqualTo(text);
        }
    }

    @Test
    void neverPadsOrTruncates() throws IOException {
        // DJL's defaults would truncate at 512 and pad a batch: 600 words must give exactly 600 ids.
        String text = String.join(" ", Collections.nCopies(300, "cat dog"));
        try (HfTokenizer tokenizer = load()) {
            int[] ids = tokenizer.encode(text);
            assertThat(ids).hasSize(600);
            assertThat(ids[0]).isEqualTo(id("cat"));
            assertThat(ids[599]).isEqualTo(id("dog"));
            assertThat(tokenizer.encode("cat")).as("and a short text right after is not padded").containsExactly(id("cat"));
        }
    }

    @Test
    void tokenIdLooksUpVocabularyAndAddedTokens() throws IOException {
        try (HfTokenizer tokenizer = load()) {
            assertThat(tokenizer.tokenId("<pad>")).hasValue(0);
            assertThat(tokenizer.tokenId("<bos>")).hasValue(BOS);
            assertThat(tokenizer.tokenId("<eos>")).hasValue(EOS);
            assertThat(tokenizer.tokenId("<unk>")).hasValue(UNK);
            assertThat(tokenizer.tokenId("park")).hasValue(13);
            assertThat(tokenizer.tokenId("!")).hasValue(19);
            assertThat(tokenizer.tokenId("zebra")).isEmpty();
        }
    }

    @Test
    void addedTokensOutsideTheModelVocabularyAreFound() throws IOException {
        // Chat templates add tokens past the base vocabulary (Llama 3's <|eot_id|>); only added_tokens lists them.
        String json = TinyTokenizer.json().replace("\"added_tokens\": [",
                "\"added_tokens\": [\n    {\"id\": 20, \"content\": \"<|end|>\", \"single_word\": false, \"lstrip\": false, "
                        + "\"rstrip\": false, \"normalized\": false, \"special\": true},");
        Files.writeString(dir.resolve("tokenizer.json"), json);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            assertThat(tokenizer.tokenId("<|end|>")).hasValue(20);
            assertThat(tokenizer.encode("dog <|end|>")).containsExactly(id("dog"), 20);
            assertThat(tokenizer.decode(new int[] {10, 20}, true)).isEqualTo("dog");
        }
    }

    @Test
    void missingFileIsAnIOExceptionNamingIt() {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void truncatedJsonIsAnIOExceptionNamingTheFile() throws IOException {
        String json = TinyTokenizer.json();
        Files.writeString(dir.resolve("tokenizer.json"), json.substring(0, json.length() / 2));
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("not a valid tokenizer.json");
    }

    @Test
    void nonObjectJsonIsAnIOExceptionNamingTheFile() throws IOException {
        for (String text : new String[] {"[1, 2]", "", "\"tokenizer\""}) {
            Files.writeString(dir.resolve("tokenizer.json"), text);
            assertThatThrownBy(() -> HfTokenizer.load(dir)).as(text)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        }
    }

    @Test
    void wrongTypedFieldsAreAnIOExceptionNamingTheFile() throws IOException {
        String[] broken = {
            TinyTokenizer.json().replace("\"park\": 13", "\"park\": \"thirteen\""),   // a vocabulary id that is text
            TinyTokenizer.json().replace("\"park\": 13", "\"park\": \"13\""),         // ... even numeric text
            TinyTokenizer.json().replace("\"park\": 13", "\"park\": 13.5"),           // a fractional id
            TinyTokenizer.json().replace("\"added_tokens\": [", "\"added_tokens\": [\"<x>\", "), // not an object
            TinyTokenizer.json().replace("{\"id\": 0, ", "{"),                         // an added token without id
            TinyTokenizer.json().replace("\"content\": \"<pad>\"", "\"content\": null"), // content null
        };
        for (String json : broken) {
            Files.writeString(dir.resolve("tokenizer.json"), json);
            assertThatThrownBy(() -> HfTokenizer.load(dir))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        }
    }

    @Test
    void aBadVocabularyIdIsNamed() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), TinyTokenizer.json().replace("\"park\": 13", "\"park\": \"thirteen\""));
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model.vocab[\"park\"]: expected an integer token id, got \"thirteen\"");
    }

    @Test
    void aFileTheTokenizersLibraryRejectsIsAnIOExceptionNamingIt() throws IOException {
        // Valid JSON that Gson reads, but a model type the Rust library does not know.
        Files.writeString(dir.resolve("tokenizer.json"), TinyTokenizer.json().replace("\"model\": {\n    \"type\": \"WordLevel\"",
                "\"model\": {\n    \"type\": \"NoSuchModel\""));
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("the tokenizers library rejected it");
    }
}
