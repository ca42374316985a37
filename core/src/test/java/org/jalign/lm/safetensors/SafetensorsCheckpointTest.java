package org.jalign.lm.safetensors;

import org.jalign.lm.safetensors.SafetensorsWriter.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Checkpoint} over single files and shards written by {@link SafetensorsWriter#writeSharded}. */
class SafetensorsCheckpointTest {

    @TempDir
    Path dir;

    private static List<Entry> tensors(int count, long seed) {
        Random random = new Random(seed);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int rows = 1 + random.nextInt(4);
            int cols = 1 + random.nextInt(6);
            float[] data = new float[rows * cols];
            for (int j = 0; j < data.length; j++) {
                data[j] = (float) random.nextGaussian();
            }
            entries.add(new Entry("layers." + i + ".weight", new long[] {rows, cols}, data));
        }
        return entries;
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shardedWriteReadsBackExactly() throws IOException {
        List<Entry> entries = tensors(10, 3);
        long total = entries.stream().mapToLong(Entry::byteLength).sum();
        SafetensorsWriter.writeSharded(dir, entries, 40, Map.of("format", "pt"));

        List<String> files = listDir();
        assertThat(files).contains("model.safetensors.index.json").doesNotContain("model.safetensors");
        List<String> shards = files.stream().filter(f -> f.startsWith("model-")).toList();
        assertThat(shards.size()).isGreaterThan(2);
        int n = shards.size();
        assertThat(shards.get(0)).isEqualTo(String.format("model-00001-of-%05d.safetensors", n));
        assertThat(files).noneMatch(f -> f.contains(".tmp-"));
        for (String shard : shards) {
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(shard))) {
                long bytes = 0;
                for (String name : f.names()) {
                    bytes += f.info(name).byteLength();
                }
                // A shard goes over the limit only when it holds one tensor larger than the limit.
                assertThat(bytes <= 40 || f.names().size() == 1).as(shard).isTrue();
            }
        }

        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.metadata()).containsEntry("total_size", Long.toString(total))
                    .containsEntry("format", "pt");
            assertThat(checkpoint.names()).containsExactlyElementsOf(entries.stream().map(Entry::name).toList());
            for (Entry e : entries) {
                assertThat(checkpoint.contains(e.name())).isTrue();
                assertThat(checkpoint.info(e.name()).shape()).containsExactly(e.shape());
                assertThat(checkpoint.readFloats(e.name())).containsExactly(e.data());
            }
            assertThatThrownBy(() -> checkpoint.readFloats("absent")).isInstanceOf(IOException.class)
                    .hasMessageContaining("no tensor \"absent\"").hasMessageContaining(dir.toString());
        }
    }

    @Test
    void oneShardIsWrittenAsPlainModelSafetensors() throws IOException {
        List<Entry> entries = tensors(3, 4);
        SafetensorsWriter.writeSharded(dir, entries, 1L << 30, Map.of());
        assertThat(listDir()).containsExactly("model.safetensors");
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.names()).hasSize(3);
            assertThat(checkpoint.readFloats(entries.get(2).name())).containsExactly(entries.get(2).data());
        }
    }

    @Test
    void noWeightsInDirectory() {
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("expected model.safetensors or model.safetensors.index.json in " + dir);
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        SafetensorsWriter.writeSharded(dir, tensors(6, 5), 30, Map.of());
        List<String> shards = listDir().stream().filter(f -> f.startsWith("model-")).toList();
        Files.delete(dir.resolve(shards.get(shards.size() - 1)));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("names shard \"" + shards.get(shards.size() - 1) + "\"")
                .hasMessageContaining("does not exist");
    }

    @Test
    void indexListingATensorItsShardLacks() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00001.safetensors"),
                List.of(new Entry("a", new long[] {1}, new float[] {1})), Map.of());
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": 4}, \"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\","
                        + " \"b\": \"model-00001-of-00001.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor \"b\"").hasMessageContaining("has no such tensor");
    }

    @Test
    void malformedIndex() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": [1]}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(index.toString()).hasMessageContaining("expected \"weight_map\" to be an object");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"../escape.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not a file inside");
        Files.writeString(index, "{\"weight_map\": ");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("not valid JSON");
    }
}
