package org.jalign.constitution;

import org.jalign.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Constitution files: the default, a good file, and every kind of bad line named by file, line and field. */
class ConstitutionTest {
    private static final String GOOD = "{\"id\": \"p1\", \"critique\": \"c1\", \"revision\": \"r1\", \"judge\": \"j1\"}";

    @Test
    void theDefaultConstitutionHasDistinctCompletePrinciples() {
        Constitution c = Constitution.defaults();
        assertThat(c.size()).isGreaterThanOrEqualTo(3);
        Set<String> ids = new HashSet<>();
        for (Principle p : c.principles()) {
            ids.add(p.id());
            assertThat(p.critique()).isNotBlank();
            assertThat(p.revision()).isNotBlank();
            assertThat(p.judge()).endsWith("?");
        }
        assertThat(ids).hasSize(c.size()).contains("harm", "helpful", "honest");
    }

    @Test
    void aFileReadsInOrderAndIgnoresOtherFields(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(file, GOOD + "\n\n{\"id\": \"p2\", \"critique\": \"c2\", \"revision\": \"r2\", \"judge\": \"j2\", \"note\": 1}\n");
        Constitution c = Constitution.load(file);
        assertThat(c.principles()).containsExactly(new Principle("p1", "c1", "r1", "j1"), new Principle("p2", "c2", "r2", "j2"));
        assertThat(Constitution.resolve(file.toString())).isEqualTo(c);
        assertThat(Constitution.resolve("default")).isEqualTo(Constitution.defaults());
    }

    @Test
    void malformedJsonNamesFileAndLine(@TempDir Path dir) throws Exception {
        Path file = write(dir, GOOD + "\n{\"id\": \"p2\", \"critique\": \n");
        assertThatThrownBy(() -> Constitution.load(file)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + " line 2: not valid JSON");
    }

    @Test
    void aMissingFieldIsNamed(@TempDir Path dir) throws Exception {
        Path file = write(dir, GOOD + "\n{\"id\": \"p2\", \"critique\": \"c\", \"revision\": \"r\"}\n");
        assertThatThrownBy(() -> Constitution.load(file)).isInstanceOf(DataFormatException.class)
                .hasMessage(file + " line 2: field \"judge\" is missing; expected a non-empty string");
    }

    @Test
    void aWrongTypeIsNamed(@TempDir Path dir) throws Exception {
        Path file = write(dir, "{\"id\": \"p\", \"critique\": [\"c\"], \"revision\": \"r\", \"judge\": \"j\"}\n");
        assertThatThrownBy(() -> Constitution.load(file)).isInstanceOf(DataFormatException.class)
                .hasMessage(file + " line 1: field \"critique\" is [\"c\"], not a string; expected a non-empty string");
        Path number = write(dir, "{\"id\": 7, \"critique\": \"c\", \"revision\": \"r\", \"judge\": \"j\"}\n");
        assertThatThrownBy(() -> Constitution.load(number)).hasMessageContaining("line 1: field \"id\" is 7, not a string");
    }

    @Test
    void emptyTextADuplicateIdAndAnEmptyFileAreRefused(@TempDir Path dir) throws Exception {
        Path blank = write(dir, "{\"id\": \"p\", \"critique\": \" \", \"revision\": \"r\", \"judge\": \"j\"}\n");
        assertThatThrownBy(() -> Constitution.load(blank)).hasMessage(blank + " line 1: field \"critique\" is empty; expected a non-empty string");
        Path twice = write(dir, GOOD + "\n" + GOOD + "\n");
        assertThatThrownBy(() -> Constitution.load(twice))
                .hasMessage(twice + " line 2: field \"id\" is \"p1\", already used by an earlier line; expected a unique principle id");
        Path empty = write(dir, "\n");
        assertThatThrownBy(() -> Constitution.load(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(empty + ": no principle");
        Path array = write(dir, "[1, 2]\n");
        assertThatThrownBy(() -> Constitution.load(array)).hasMessageStartingWith(array + " line 1: the line is an array");
    }

    private static int files;

    private static Path write(Path dir, String text) throws Exception {
        Path file = dir.resolve("c" + (files++) + ".jsonl");
        Files.writeString(file, text);
        return file;
    }
}
