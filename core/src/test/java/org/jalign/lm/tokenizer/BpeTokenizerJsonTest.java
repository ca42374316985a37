package org.jalign.lm.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The written files as the Rust tokenizers library (through DJL) reads them: it loads them, round-trips
 * any text exactly, and gives the same ids as {@link ByteLevelBpe#encode}.
 */
class BpeTokenizerJsonTest {

    /** Text the trained tokenizers must handle: ASCII, punctuation, newlines, runs of spaces, UTF-8. */
    private static final List<String> SAMPLES = List.of(
            "Hello, world!",
            "héllo 世界 🙂",
            "  two leading spaces and trailing  ",
            "tabs\tand\nnewlines\n\n\nand\r\nCRLF",
            "I'm sure they'll've done it; it's 1984... or 2001?",
            "punctuation: ()[]{}<>!@#$%^&*-_=+|\\/~`'\"",
            "non-breaking\u00a0space, ideographic\u3000space, zero\u200bwidth",
            "ΟΔΟΣ ΣΟΦΟΣ İstanbul straße ǅ",
            "",
            " ",
            "\n");

    @TempDir
    static Path dir;
    static Path plainDir;
    static ByteLevelBpe plain;
    static Path lowerDir;
    static ByteLevelBpe lower;

    @BeforeAll
    static void train() throws IOException {
        String corpus = BpeTrainerTest.syntheticCorpus(200_000, 5) + String.join("\n", SAMPLES);
        plain = BpeTrainer.train(corpus, BpeTrainer.Config.of(900));
        plainDir = dir.resolve("plain");
        TokenizerJson.write(plain, plainDir);
        lower = BpeTrainer.train(corpus, new BpeTrainer.Config(900, 2, true));
        lowerDir = dir.resolve("lower");
        TokenizerJson.write(lower, lowerDir);
    }

    private static HuggingFaceTokenizer load(Path dir) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(dir)
                .optAddSpecialTokens(false)
                .optPadding(false)
                .optTruncation(false)
                .build();
    }

    private static int[] ids(Encoding encoding) {
        return java.util.Arrays.stream(encoding.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    private static long[] longs(int[] ids) {
        return java.util.Arrays.stream(ids).asLongStream().toArray();
    }

    /** Random strings over an alphabet chosen to hit every branch of the regex and the byte alphabet. */
    private static List<String> randomTexts(int count, long seed) {
        String[] alphabet = {"a", "b", "Z", "é", "世", "🙂", "1", "9", " ", " ", "  ", "\n", "\t", "\r\n", "'", "'s", "'ll",
            ".", ",", "!", "<", ">", "\u00a0", "\u3000", "\u0000", "\u007f", "\u00ad", "Σ", "İ", "ß", "eos"};
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(25);
            for (int j = 0; j < length; j++) {
                s.append(alphabet[random.nextInt(alphabet.length)]);
            }
            texts.add(s.toString());
        }
        return texts;
    }

    @Test
    void djlLoadsItAndRoundTripsAnyTextExactly() throws IOException {
        try (HuggingFaceTokenizer tokenizer = load(plainDir)) {
            for (String text : Stream.concat(SAMPLES.stream(), randomTexts(300, 1).stream()).toList()) {
                long[] ids = tokenizer.encode(text).getIds();
                assertThat(tokenizer.decode(ids, false)).as("round trip of [%s]", text).isEqualTo(text);
            }
        }
    }

    @Test
    void djlGivesTheSameIdsAsTheJavaEncoder() throws IOException {
        try (HuggingFaceTokenizer tokenizer = load(plainDir)) {
            for (String text : Stream.concat(SAMPLES.stream(), randomTexts(300, 2).stream()).toList()) {
                assertThat(ids(tokenizer.encode(text))).as("ids of [%s]", text).containsExactly(plain.encode(text));
                assertThat(plain.decode(plain.encode(text), false)).isEqualTo(text);
            }
            String corpusLike = BpeTrainerTest.syntheticCorpus(20_000, 99);
            assertThat(ids(tokenizer.encode(corpusLike))).containsExactly(plain.encode(corpusLike));
        }
    }

    @Test
    void lowercaseTokenizerMatchesTheJavaEncoderToo() throws IOException {
        try (HuggingFaceTokenizer tokenizer = load(lowerDir)) {
            for (String text : Stream.concat(SAMPLES.stream(), randomTexts(300, 3).stream()).toList()) {
                assertThat(ids(tokenizer.encode(text))).as("ids of [%s]", text).containsExactly(lower.encode(text));
            }
            assertThat(ids(tokenizer.encode("HÉLLO World"))).containsExactly(ids(tokenizer.encode("héllo world")));
            assertThat(tokenizer.decode(tokenizer.encode("HÉLLO World").getIds(), false)).isEqualTo("héllo world");
        }
    }

    @Test
    void specialTokensAreIds0To3AndMatchInText() throws IOException {
        try (HuggingFaceTokenizer tokenizer = load(plainDir)) {
            assertThat(ids(tokenizer.encode("<pad><bos><eos><unk>"))).containsExactly(0, 1, 2, 3);
            int[] ids = ids(tokenizer.encode("Hello<eos>world"));
            assertThat(ids).contains(2).containsExactly(plain.encode("Hello<eos>world"));
            assertThat(tokenizer.decode(longs(ids), false)).isEqualTo("Hello<eos>world");
            assertThat(tokenizer.decode(longs(ids), true)).isEqualTo("Helloworld");
            assertThat(plain.decode(ids, true)).isEqualTo("Helloworld");
            // Specials match on the raw text, before lower-casing: "<EOS>" stays text.
            try (HuggingFaceTokenizer lowerTokenizer = load(lowerDir)) {
                assertThat(ids(lowerTokenizer.encode("<EOS>"))).doesNotContain(2).containsExactly(lower.encode("<EOS>"));
            }
        }
    }

    /** DJL applies tokenizer_config.json when pointed at it: its flags must not change a round trip. */
    @Test
    void tokenizerConfigKeepsRoundTripsExactInDjl() throws IOException {
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(plainDir)
                .optTokenizerConfigPath(plainDir.resolve("tokenizer_config.json").toString())
                .optAddSpecialTokens(false).optPadding(false).optTruncation(false)
                .build()) {
            for (String text : List.of("a . b , c ' d n't e ?", " héllo  世界 🙂", "  x")) {
                assertThat(tokenizer.decode(tokenizer.encode(text).getIds(), false)).isEqualTo(text);
                assertThat(ids(tokenizer.encode(text))).containsExactly(plain.encode(text));
            }
        }
    }

    @Test
    void vocabularyHasExactlyTheRequestedSize() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(plainDir.resolve("tokenizer.json"))).getAsJsonObject();
        JsonObject vocab = json.getAsJsonObject("model").getAsJsonObject("vocab");

        assertThat(vocab.size()).isEqualTo(900).isEqualTo(plain.vocabSize());
        assertThat(json.getAsJsonObject("model").getAsJsonArray("merges")).hasSize(900 - 260);
        try (HuggingFaceTokenizer tokenizer = load(plainDir)) {
            long[] all = java.util.stream.LongStream.range(0, 900).toArray();
            assertThat(tokenizer.decode(all, false)).isNotEmpty();
            String longest = plain.vocabulary().get(899);
            assertThat(ids(tokenizer.encode(plain.decode(new int[] {899}, false)))).as(longest).containsExactly(899);
        }
    }

    @Test
    void jsonHasTheLayoutHuggingFaceWrites() throws IOException {
        String text = Files.readString(plainDir.resolve("tokenizer.json"), StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(text).getAsJsonObject();

        assertThat(json.keySet()).containsExactly("version", "truncation", "padding", "added_tokens", "normalizer",
                "pre_tokenizer", "post_processor", "decoder", "model");
        assertThat(json.get("padding").isJsonNull()).isTrue();
        assertThat(json.get("truncation").isJsonNull()).isTrue();
        assertThat(json.get("normalizer").isJsonNull()).isTrue();
        assertThat(json.getAsJsonObject("pre_tokenizer").toString())
                .isEqualTo("{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}");
        assertThat(json.getAsJsonObject("decoder").get("type").getAsString()).isEqualTo("ByteLevel");
        assertThat(json.getAsJsonArray("added_tokens").get(2).toString()).isEqualTo("{\"id\":2,\"content\":\"<eos>\","
                + "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");
        JsonObject model = json.getAsJsonObject("model");
        assertThat(model.get("type").getAsString()).isEqualTo("BPE");
        assertThat(model.getAsJsonArray("merges").get(0).getAsString()).contains(" ");
        assertThat(text).contains("\"<eos>\"").doesNotContain("\\u003c"); // not HTML-escaped
        JsonObject lowerJson = JsonParser.parseString(Files.readString(lowerDir.resolve("tokenizer.json"))).getAsJsonObject();
        assertThat(lowerJson.getAsJsonObject("normalizer").toString()).isEqualTo("{\"type\":\"Lowercase\"}");

        JsonObject config = JsonParser.parseString(Files.readString(plainDir.resolve("tokenizer_config.json"))).getAsJsonObject();
        assertThat(config.get("eos_token").getAsString()).isEqualTo("<eos>");
        assertThat(config.get("clean_up_tokenization_spaces").getAsBoolean()).isFalse();
        JsonObject map = JsonParser.parseString(Files.readString(plainDir.resolve("special_tokens_map.json"))).getAsJsonObject();
        assertThat(map.toString()).isEqualTo(
                "{\"bos_token\":\"<bos>\",\"eos_token\":\"<eos>\",\"pad_token\":\"<pad>\",\"unk_token\":\"<unk>\"}");
    }

    /**
     * With padding off there is none. With DJL's defaults (pad to the longest) the null padding section
     * gives the Rust library's default pad, id 0 labelled "[PAD]" (tokenizer_config.json's pad_token
     * does not change it): the ids are right only because {@code <pad>} is id 0 here.
     */
    @Test
    void paddingIsOffWhenAskedAndOtherwiseUsesPad() throws IOException {
        try (HuggingFaceTokenizer tokenizer = load(plainDir)) {
            Encoding[] batch = tokenizer.batchEncode(List.of("a", "a much longer text"));
            assertThat(batch[0].getIds().length).isLessThan(batch[1].getIds().length);
        }
        try (HuggingFaceTokenizer defaults = HuggingFaceTokenizer.newInstance(plainDir)) {
            Encoding[] batch = defaults.batchEncode(List.of("a", "a much longer text"));
            assertThat(batch[0].getIds().length).isEqualTo(batch[1].getIds().length);
            assertThat(batch[0].getIds()[batch[0].getIds().length - 1]).isZero();
            assertThat(batch[0].getTokens()).contains("[PAD]"); // the label, not our token string; the id is ours
            assertThat(defaults.decode(batch[0].getIds(), true)).isEqualTo("a");
        }
    }

    @Test
    void writingOverAnExistingDirectoryReplacesEachFileAndLeavesNoTempFiles(@TempDir Path out) throws IOException {
        Files.writeString(out.resolve("tokenizer.json"), "{\"old\": true}");
        Files.writeString(out.resolve("tokenizer_config.json"), "old");
        Files.writeString(out.resolve("config.json"), "{\"keep\": true}");

        TokenizerJson.write(plain, out);

        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json");
        }
        assertThat(Files.readString(out.resolve("config.json"))).isEqualTo("{\"keep\": true}");
        assertThat(Files.readString(out.resolve("tokenizer.json"))).isEqualTo(Files.readString(plainDir.resolve("tokenizer.json")));
        try (HuggingFaceTokenizer tokenizer = load(out)) {
            assertThat(ids(tokenizer.encode("héllo 世界 🙂"))).containsExactly(plain.encode("héllo 世界 🙂"));
        }
    }

    @Test
    void writingWhereAFileStandsFailsAndNamesIt(@TempDir Path out) throws IOException {
        Path file = Files.writeString(out.resolve("taken"), "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenizerJson.write(plain, file))
                .isInstanceOf(IOException.class).hasMessageContaining("taken");
    }
}
