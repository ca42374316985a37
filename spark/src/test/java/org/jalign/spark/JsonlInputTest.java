package org.jalign.spark;

import org.apache.hadoop.conf.Configuration;
import org.jalign.data.JsonlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Line numbers and global indices over many small Hadoop splits equal what {@link JsonlReader}
 * reads from the same files one after another: the reference for every prompt's index (its seed).
 */
class JsonlInputTest {

    @Test
    void numberingOverManySplitsIsJsonlReadersOverTheFilesInOrder(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        Path inputs = Files.createDirectories(dir.resolve("in"));
        for (String name : List.of("b.jsonl", "a.jsonl", "c.jsonl", "_ignored.jsonl")) {
            StringBuilder text = new StringBuilder(name.equals("a.jsonl") ? "\uFEFF" : "");
            for (int i = 0; i < 60; i++) {
                String line = random.nextInt(5) == 0 ? (random.nextBoolean() ? "" : " \t") : "{\"k\": \"" + name + i + " é\"}";
                text.append(line).append(random.nextInt(4) == 0 ? "\r\n" : "\n");
            }
            Files.writeString(inputs.resolve(name), text, StandardCharsets.UTF_8);
        }
        List<String> expected = new ArrayList<>();
        for (String name : List.of("a.jsonl", "b.jsonl", "c.jsonl")) {
            try (JsonlReader reader = JsonlReader.open(inputs.resolve(name))) {
                for (JsonlReader.Line line : reader) {
                    expected.add(name + ":" + line.lineNumber() + ":" + line.object());
                }
            }
        }

        Configuration hadoop = LocalSpark.context().hadoopConfiguration();
        String before = hadoop.get("fs.local.block.size");
        hadoop.setLong("fs.local.block.size", 101);   // dozens of splits, most starting mid-file
        // Hadoop caches one LocalFileSystem per JVM with the configuration it was made with: bypass it.
        hadoop.setBoolean("fs.file.impl.disable.cache", true);
        try {
            JsonlInput input = JsonlInput.resolve(inputs.toString(), hadoop);
            assertThat(input.files()).hasSize(3);
            org.apache.spark.api.java.JavaRDD<InputLine> rdd = input.lines(LocalSpark.context());
            assertThat(rdd.getNumPartitions()).isGreaterThan(20);
            List<InputLine> lines = new ArrayList<>(rdd.collect());
            lines.sort(java.util.Comparator.comparingLong(InputLine::index));
            List<String> actual = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                InputLine line = lines.get(i);
                assertThat(line.index()).isEqualTo(i);
                String file = line.source().substring(line.source().lastIndexOf('/') + 1);
                actual.add(file + ":" + line.lineNumber() + ":" + line.parse().object());
            }
            assertThat(actual).containsExactlyElementsOf(expected);
        } finally {
            hadoop.unset("fs.file.impl.disable.cache");
            if (before == null) {
                hadoop.unset("fs.local.block.size");
            } else {
                hadoop.set("fs.local.block.size", before);
            }
        }
    }
}
