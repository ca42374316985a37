package org.jalign.spark;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.run.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input fails the job naming the file and line and leaves no part file; a good run writes its manifest. */
class JobFailureTest {
    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModelFiles.languageModel(dir.resolve("model"), 11);
        LocalSpark.context();
    }

    private static LocalSpark.Run generate(Path input, Path output, String... more) {
        return LocalSpark.sparkJobs(GenerateJobTest.concat(new String[] {"generate", "--model", model.toString(),
            "--input", input.toString(), "--output", output.toString(), "--greedy", "--max-new-tokens", "4",
            "--batch-size", "2", "--partitions", "2"}, more));
    }

    @Test
    void aLineThatIsNotJsonFailsTheJobWithItsFileAndLine() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("bad-json"));
        Files.write(inputs.resolve("a.jsonl"), List.of("{\"prompt\": \"the cat\"}", "{\"prompt\": \"a dog\"}"));
        // line 3 of the second file (line 2 is blank and still counts)
        Files.write(inputs.resolve("b.jsonl"), List.of("{\"prompt\": \"red\"}", "", "{\"prompt\": \"sat\""));
        Path output = dir.resolve("bad-json-out");
        LocalSpark.Run run = generate(inputs, output);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(inputs.resolve("b.jsonl") + " line 3: not valid JSON")
                .contains("expected one JSON object per line");
        assertThat(Files.exists(output)).isFalse();   // refused before any model work
    }

    @Test
    void aLineWithTheWrongFieldsNamesTheFieldAndWhatWasExpected() throws Exception {
        Path input = dir.resolve("no-prompt.jsonl");
        Files.write(input, List.of("{\"prompt\": \"the cat\"}", "{\"text\": \"a dog\"}"));
        LocalSpark.Run run = generate(input, dir.resolve("no-prompt-out"));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(input + " line 2: neither \"prompt\" nor \"prompt_ids\" is set; expected exactly one of");
    }

    @Test
    void aTokenOutsideTheVocabularyFailsInTheTaskAndNoPartIsCommitted() throws Exception {
        Path input = dir.resolve("big-id.jsonl");
        Files.write(input, List.of("{\"prompt\": \"the cat\"}", "{\"prompt\": \"a dog\"}", "{\"prompt\": \"red\"}",
                "{\"prompt_ids\": [1, 500]}", "{\"prompt\": \"sat\"}"));
        Path output = dir.resolve("big-id-out");
        LocalSpark.Run run = generate(input, output);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(input + " line 4: field \"prompt_ids\" element 1 is 500; expected token ids < the model's vocab_size");
        // the other partition's task may have finished, but the job commit never ran
        assertThat(!Files.exists(output) || LocalSpark.partFiles(output) == 0).isTrue();
        assertThat(Files.exists(output.resolve("_SUCCESS"))).isFalse();
    }

    @Test
    void aScoreLineWithoutItsCompletionNamesFileLineAndField() throws Exception {
        Path input = dir.resolve("no-completion.jsonl");
        Files.write(input, List.of("{\"prompt\": \"a\", \"completion\": \"dog\"}", "{\"prompt\": \"the cat\"}"));
        LocalSpark.Run run = LocalSpark.sparkJobs("score", "--model", model.toString(), "--input", input.toString(),
                "--output", dir.resolve("no-completion-out").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(input + " line 2: field \"completion\"");
    }

    @Test
    void anExistingOutputIsRefused() throws Exception {
        Path input = dir.resolve("one.jsonl");
        Files.write(input, List.of("{\"prompt\": \"the cat\"}"));
        Path output = Files.createDirectories(dir.resolve("exists"));
        LocalSpark.Run run = generate(input, output);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(output + ": output already exists");
    }

    @Test
    void anInputOfBlankLinesGivesAnEmptyOutputAsTheCliDoes() throws Exception {
        Path input = dir.resolve("blank.jsonl");
        Files.write(input, List.of("", "  "));
        Path output = dir.resolve("blank-out");
        LocalSpark.Run run = generate(input, output);
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.err()).contains("warning: no prompts in " + input);
        assertThat(LocalSpark.partLines(output)).isEmpty();
        assertThat(Files.exists(output.resolve("_SUCCESS"))).isTrue();
    }

    @Test
    void aGlobNamesTheFileItMatched() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("glob"));
        Files.write(inputs.resolve("only.jsonl"), List.of("{\"prompt\": 3}"));
        LocalSpark.Run run = generate(inputs.resolve("*.jsonl"), dir.resolve("glob-out"));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains(inputs.resolve("only.jsonl") + " line 1: field \"prompt\"");
    }

    @Test
    void aRunWritesItsManifest() throws Exception {
        Path input = dir.resolve("manifest.jsonl");
        Files.write(input, List.of("{\"prompt\": \"the cat\"}", "{\"prompt\": \"a dog\"}", "{\"prompt\": \"red\"}"),
                StandardCharsets.UTF_8);
        Path output = dir.resolve("manifest-out");
        LocalSpark.Run run = LocalSpark.sparkJobs("generate", "--model", model.toString(), "--input", input.toString(),
                "--output", output.toString(), "--temperature", "0.7", "--seed", "1234", "--max-new-tokens", "3");
        assertThat(run.status()).as(run.err()).isZero();
        JsonObject manifest = JsonParser.parseString(Files.readString(output.resolve("_manifest.json"))).getAsJsonObject();
        assertThat(manifest.get("command").getAsString()).isEqualTo("spark generate");
        assertThat(manifest.get("seed").getAsLong()).isEqualTo(1234);
        assertThat(manifest.getAsJsonObject("config").get("temperature").getAsDouble()).isEqualTo(0.7);
        assertThat(manifest.getAsJsonObject("config").get("model").getAsString()).isEqualTo(model.toString());
        assertThat(manifest.getAsJsonObject("versions").get("spark").getAsString()).isEqualTo(LocalSpark.context().version());
        assertThat(manifest.getAsJsonObject("versions").has("jalign")).isTrue();
        assertThat(manifest.getAsJsonObject("inputs").getAsJsonObject(input.toString()).get("sha256").getAsString())
                .isEqualTo(RunDirectory.sha256(input));
        assertThat(manifest.get("lines").getAsLong()).isEqualTo(3);
        assertThat(Files.list(output).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
}
