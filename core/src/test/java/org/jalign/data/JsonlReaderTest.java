package org.jalign.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonlReaderTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static List<JsonlReader.Line> read(Path p) throws IOException {
        try (JsonlReader r = JsonlReader.open(p)) {
            return r.readAll();
        }
    }

    @Test
    void malformedLineNamesFileAndLine() throws IOException {
        Path p = file("prompts.jsonl", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3\n{\"a\": 4}\n");
        assertThatThrownBy(() -> read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("prompts.jsonl")
                .hasMessageContaining("line 3")
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("expected one JSON object per line")
                .hasMessageNotContaining("line 1 column")
                .satisfies(e -> assertThat(((DataFormatException) e).lineNumber()).isEqualTo(3));
    }

    @Test
    void lineNumbersCountBlankLines() throws IOException {
        Path p = file("x.jsonl", "\n{\"a\": 1}\n   \n\n[1, 2]\n");
        assertThatThrownBy(() -> read(p)).hasMessageStartingWith(p + " line 5: the line is an array [1,2], not an object");
    }

    @Test
    void blankLinesAreSkipped() throws IOException {
        Path p = file("x.jsonl", "\n{\"a\": 1}\n \t \n\r\n{\"a\": 2}\r\n\n");
        List<JsonlReader.Line> lines = read(p);
        assertThat(lines).extracting(JsonlReader.Line::lineNumber).containsExactly(2, 5);
        assertThat(lines).extracting(l -> l.object().get("a").getAsInt()).containsExactly(1, 2);
    }

    @Test
    void nonObjectLinesAreErrors() {
        for (String bad : List.of("42", "\"text\"", "null", "true", "[{\"a\": 1}]")) {
            assertThatThrownBy(() -> JsonlReader.of("in.jsonl", bad + "\n").readAll())
                    .as(bad)
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageContaining("in.jsonl line 1: the line is")
                    .hasMessageContaining("not an object");
        }
    }

    @Test
    void lenientJsonIsRefused() {
        for (String bad : List.of("{a: 1}", "{'a': 1}", "{\"a\": NaN}", "{\"a\": 1} // note", "{\"a\": 1,}",
                "{\"a\": 1} {\"b\": 2}", "{\"a\": 1}}")) {
            assertThatThrownBy(() -> JsonlReader.of("in.jsonl", bad).readAll())
                    .as(bad)
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith("in.jsonl line 1: ");
        }
    }

    @Test
    void truncatedLastLineIsAnError() throws IOException {
        Path p = file("cut.jsonl", "{\"input_ids\": [1, 2]}\n{\"input_ids\": [1, ");
        assertThatThrownBy(() -> read(p)).hasMessageContaining("cut.jsonl line 2: not valid JSON");
    }

    @Test
    void invalidUtf8IsAnErrorNotAReplacement() throws IOException {
        Path p = dir.resolve("bad.jsonl");
        Files.write(p, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        assertThatThrownBy(() -> read(p)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.jsonl line 1: the bytes are not valid UTF-8");
    }

    @Test
    void unicodeRoundTrips() throws IOException {
        String text = "héllo wörld — 日本語 🤖 \"quoted\" \\ tab\t <b>&amp;</b>";
        Path p = dir.resolve("u.jsonl");
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("prompt", text);
        try (JsonlWriter w = JsonlWriter.open(p)) {
            w.write(o);
            w.commit();
        }
        String raw = Files.readString(p, StandardCharsets.UTF_8);
        assertThat(raw).contains("日本語 🤖").contains("<b>&amp;</b>").endsWith("}\n").hasLineCount(1);
        assertThat(read(p).get(0).object().get("prompt").getAsString()).isEqualTo(text);
    }

    @Test
    void byteOrderMarkIsIgnored() throws IOException {
        Path p = file("bom.jsonl", "\uFEFF{\"a\": 1}\n");
        assertThat(read(p)).hasSize(1);
    }

    @Test
    void iteratesOnlyOnce() {
        JsonlReader r = JsonlReader.of("x", "{}\n");
        r.readAll();
        assertThatThrownBy(r::readAll).isInstanceOf(IllegalStateException.class);
    }
}
