package org.jalign.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeedbackCommandConvertTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void hhRlhfAndRankedLinesBecomeTrlPairs(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("prefs.jsonl");
        Files.writeString(input, String.join("\n",
                "{\"chosen\": \"\\n\\nHuman: Hi\\n\\nAssistant: Hello!\", \"rejected\": \"\\n\\nHuman: Hi\\n\\nAssistant: Go away.\"}",
                "{\"prompt\": \"p\", \"completions\": [\"a\", \"b\", \"c\"], \"ranks\": [1, 2, 2]}") + "\n");
        assertThat(run("feedback", "convert", "--input", input.toString(), "--out", dir.resolve("pairs.jsonl").toString()))
                .as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(dir.resolve("pairs.jsonl"));
        // 1 HH pair + ranked a>b, a>c (b and c tie: no pair)
        assertThat(lines).hasSize(3);
        JsonObject hh = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(hh.get("prompt").getAsString()).isEqualTo("\n\nHuman: Hi\n\nAssistant:");
        assertThat(hh.get("chosen").getAsString()).isEqualTo(" Hello!");
        assertThat(hh.get("rejected").getAsString()).isEqualTo(" Go away.");
        assertThat(hh.get("prompt_id").getAsString()).isEqualTo("prefs.jsonl:1");
        assertThat(lines.subList(1, 3)).allSatisfy(l -> assertThat(JsonParser.parseString(l).getAsJsonObject()
                .get("chosen").getAsString()).isEqualTo("a"));
    }

    @Test
    void aBadLineIsNamedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("prefs.jsonl");
        Files.writeString(input, "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"oops\": 1}\n");
        assertThat(run("feedback", "convert", "--input", input.toString(), "--out", dir.resolve("pairs.jsonl").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("prefs.jsonl line 2");
        assertThat(dir.resolve("pairs.jsonl")).doesNotExist();
    }
}
