package org.jalign.data;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonlWriterTest {

    @TempDir
    Path dir;

    private static JsonObject object(String key, int value) {
        JsonObject o = new JsonObject();
        o.addProperty(key, value);
        return o;
    }

    private String[] filesInDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void commitWritesCompactLines() throws IOException {
        Path out = dir.resolve("out.jsonl");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            JsonObject o = object("a", 1);
            o.add("gone", JsonNull.INSTANCE);
            w.write(o);
            w.write(object("b", 2));
            w.commit();
        }
        assertThat(Files.readString(out)).isEqualTo("{\"a\":1,\"gone\":null}\n{\"b\":2}\n");
        assertThat(filesInDir()).containsExactly("out.jsonl");
    }

    @Test
    void notCommittedLeavesTheOldFileIntactAndNoTemp() throws IOException {
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, "old\n");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            w.write(object("a", 1));
            assertThat(filesInDir()).hasSize(2); // the temp sits beside the target while writing
        }
        assertThat(Files.readString(out)).isEqualTo("old\n");
        assertThat(filesInDir()).containsExactly("out.jsonl");
    }

    @Test
    void exceptionBeforeCommitLeavesNoFile() {
        Path out = dir.resolve("new.jsonl");
        assertThatThrownBy(() -> {
            try (JsonlWriter w = JsonlWriter.open(out)) {
                w.write(object("a", 1));
                throw new IllegalStateException("model failed");
            }
        }).hasMessage("model failed");
        assertThat(out).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void commitReplacesAnExistingFile() throws IOException {
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, "old\n");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            w.write(object("a", 1));
            w.commit();
        }
        assertThat(Files.readString(out)).isEqualTo("{\"a\":1}\n");
    }

    @Test
    void missingDirectoryIsNamed() {
        Path out = dir.resolve("no/such/out.jsonl");
        assertThatThrownBy(() -> JsonlWriter.open(out)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.resolve("no/such").toString())
                .hasMessageContaining("output directory does not exist");
    }

    @Test
    void streamIsFlushedNotClosed() throws IOException {
        StringWriter sink = new StringWriter();
        try (JsonlWriter w = JsonlWriter.toStream(sink)) {
            w.write(object("a", 1));
            w.commit();
        }
        assertThat(sink).hasToString("{\"a\":1}\n");
    }

    @Test
    void writeAfterCommitIsRefused() throws IOException {
        try (JsonlWriter w = JsonlWriter.open(dir.resolve("o.jsonl"))) {
            w.commit();
            assertThatThrownBy(() -> w.write(object("a", 1))).isInstanceOf(IllegalStateException.class);
        }
    }
}
