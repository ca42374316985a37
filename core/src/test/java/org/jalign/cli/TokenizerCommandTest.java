package org.jalign.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jalign tokenizer train}: the files it writes, its help, and its errors. */
class TokenizerCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path corpus(String text) throws IOException {
        return Files.writeString(dir.resolve("corpus.txt"), text);
    }

    private static String repeat(String text, int times) {
        return String.join("\n", java.util.Collections.nCopies(times, text));
    }

    @Test
    void trainWritesTheThreeFilesThatDjlLoads() throws IOException {
        Path input = corpus(repeat("the cat sat on the mat. the dog sat on the log. héllo 世界 🙂", 50));
        Path output = dir.resolve("tok");

        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "280", "--out", output.toString()))
                .as(err.toString()).isZero();

        try (Stream<Path> files = Files.list(output)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("special_tokens_map.json", "tokenizer.json", "tokenizer_config.json");
        }
        assertThat(err.toString()).as(err.toString()).contains("merges [", "wrote " + output.resolve("tokenizer.json") + ": 280 tokens");
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(output)
                .optAddSpecialTokens(false).optPadding(false).optTruncation(false).build()) {
            String text = "the cat sat<eos>\n  on 世界 🙂";
            long[] ids = tokenizer.encode(text).getIds();
            assertThat(ids).contains(2L);
            assertThat(tokenizer.decode(ids, false)).isEqualTo(text);
        }
    }

    @Test
    void quietPrintsNothingAndLowercaseIsWritten() throws IOException {
        Path input = corpus(repeat("Hello World", 20));
        Path output = dir.resolve("tok");

        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "265", "--out", output.toString(),
                "--lowercase", "--min-frequency", "3", "--quiet")).isZero();

        assertThat(err.toString()).isEmpty();
        assertThat(Files.readString(output.resolve("tokenizer.json"))).contains("\"Lowercase\"");
    }

    @Test
    void retrainingOverAnOutputDirectoryReplacesItsFiles() throws IOException {
        Path input = corpus(repeat("aaab aaab ab", 10));
        Path output = Files.createDirectory(dir.resolve("tok"));
        Files.writeString(output.resolve("tokenizer.json"), "stale");
        Files.writeString(output.resolve("notes.txt"), "mine");

        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "262", "--out", output.toString(),
                "--quiet")).isZero();

        assertThat(Files.readString(output.resolve("tokenizer.json"))).startsWith("{").contains("\"aa\": 260");
        assertThat(Files.readString(output.resolve("notes.txt"))).isEqualTo("mine");
        try (Stream<Path> files = Files.list(output)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains(".tmp-"));
        }
    }

    @Test
    void aCorpusTooSmallForTheVocabularyWarns() throws IOException {
        Path input = corpus("aaab aaab ab");

        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "1000", "--out",
                dir.resolve("tok").toString(), "--quiet")).isZero();

        assertThat(err.toString()).contains("warning: the corpus allowed only 263 tokens, not 1000");
    }

    @Test
    void helpWorks() {
        assertThat(run("tokenizer", "--help")).isZero();
        assertThat(out.toString()).contains("train");
        assertThat(run("tokenizer", "train", "--help")).isZero();
        assertThat(out.toString()).contains("--vocab-size", "--min-frequency", "--lowercase", "--quiet", "<eos>=2");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("tokenizer");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run("tokenizer")).isEqualTo(2);
        assertThat(err.toString()).contains("choose a subcommand: train");
    }

    @Test
    void missingCorpusFileIsAClearError() {
        assertThat(run("tokenizer", "train", "--input", dir.resolve("nope.txt").toString(), "--vocab-size", "300",
                "--out", dir.resolve("tok").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("input file not found: ").contains("nope.txt").doesNotContain("\tat ");
        assertThat(dir.resolve("tok")).doesNotExist();
    }

    @Test
    void emptyCorpusIsAClearError() throws IOException {
        Path input = corpus("");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300",
                "--out", dir.resolve("tok").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("corpus.txt is empty: there is nothing to train on");
    }

    @Test
    void corpusOfOnlySpecialTokensIsAClearError() throws IOException {
        Path input = corpus("<eos><bos>");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300",
                "--out", dir.resolve("tok").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("corpus.txt: the corpus has no text to train on (only special tokens)");
    }

    @Test
    void nonUtf8CorpusIsAClearError() throws IOException {
        Path input = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300",
                "--out", dir.resolve("tok").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("latin1.txt is not UTF-8 text");
    }

    @Test
    void vocabularySmallerThanSpecialsPlusBytesIsAUsageError() throws IOException {
        Path input = corpus("hello");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "259",
                "--out", dir.resolve("tok").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--vocab-size must be at least 260 (4 special tokens + 256 bytes), got 259");
    }

    @Test
    void badMinFrequencyAndMissingOptionsAreUsageErrors() throws IOException {
        Path input = corpus("hello");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300",
                "--out", dir.resolve("tok").toString(), "--min-frequency", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--min-frequency must be at least 1, got 0");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300")).isEqualTo(2);
        assertThat(err.toString()).contains("--out");
    }

    @Test
    void anOutputPathThatIsAFileIsAClearError() throws IOException {
        Path input = corpus("hello hello");
        Path file = Files.writeString(dir.resolve("taken"), "x");
        assertThat(run("tokenizer", "train", "--input", input.toString(), "--vocab-size", "300",
                "--out", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("taken exists and is not a directory");
    }
}
