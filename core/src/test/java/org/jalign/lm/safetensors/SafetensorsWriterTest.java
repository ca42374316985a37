package org.jalign.lm.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.safetensors.SafetensorsWriter.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void roundTripsF32ExactlyAndF16Bf16ToTheNearestRepresentable() throws IOException {
        float[] a = gaussian(6, 1);
        float[] b = gaussian(12, 2);
        float[] c = gaussian(5, 3);
        Path file = dir.resolve("model.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("seed", "42");
        SafetensorsWriter.write(file, List.of(
                new Entry("a", DType.F32, new long[] {2, 3}, a),
                new Entry("b", DType.F16, new long[] {3, 4}, b),
                new Entry("c", DType.BF16, new long[] {5}, c)), metadata);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).isEqualTo(metadata);
            assertThat(f.names()).containsExactly("a", "b", "c");
            assertThat(f.info("a").shape()).containsExactly(2, 3);
            assertThat(f.info("b").dtype()).isEqualTo(DType.F16);
            assertThat(f.readFloats("a")).containsExactly(a);
            float[] halves = f.readFloats("b");
            for (int i = 0; i < b.length; i++) {
                assertThat(halves[i]).isEqualTo(nearestHalf(b[i]));
            }
            float[] brains = f.readFloats("c");
            for (int i = 0; i < c.length; i++) {
                assertThat(brains[i]).isEqualTo(nearestBfloat16(c[i]));
            }
        }
    }

    @Test
    void layoutIsPaddedAlignedAndContiguous() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.write(file, List.of(
                new Entry("first", DType.F16, new long[] {3}, new float[] {1, 2, 3}),
                new Entry("second", new long[] {2}, new float[] {4, 5})), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).doesNotContain("__metadata__");
        assertThat(header.stripTrailing().length()).isGreaterThan(n > 7 ? (int) n - 8 : 0);
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        assertThat(json.getAsJsonObject("first").get("data_offsets").toString()).isEqualTo("[0,6]");
        assertThat(json.getAsJsonObject("second").get("data_offsets").toString()).isEqualTo("[6,14]");
        assertThat(bytes.length).isEqualTo(8 + n + 14);
        int data = (int) (8 + n);
        assertThat(b.getShort(data)).isEqualTo((short) 0x3C00);      // 1.0 as f16
        assertThat(b.getShort(data + 2)).isEqualTo((short) 0x4000);  // 2.0
        assertThat(b.getShort(data + 4)).isEqualTo((short) 0x4200);  // 3.0
        assertThat(b.getFloat(data + 6)).isEqualTo(4f);
        assertThat(b.getFloat(data + 10)).isEqualTo(5f);
    }

    /** DJL's decoder is an independent reader: a F32 file of ours must decode to the same values. */
    @Test
    void djlDecodesOurF32File() throws IOException {
        float[] w = gaussian(12, 7);
        float[] v = gaussian(5, 8);
        Path file = dir.resolve("djl.safetensors");
        SafetensorsWriter.write(file, List.of(
                new Entry("layer.weight", new long[] {3, 4}, w),
                new Entry("layer.bias", new long[] {5}, v)), Map.of("format", "pt"));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList list = NDList.decode(manager, Files.readAllBytes(file));
            assertThat(list).hasSize(2);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray array : list) {
                byName.put(array.getName(), array);
            }
            assertThat(byName.get("layer.weight").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(byName.get("layer.weight").getShape().getShape()).containsExactly(3, 4);
            assertThat(byName.get("layer.weight").toFloatArray()).containsExactly(w);
            assertThat(byName.get("layer.bias").getShape().getShape()).containsExactly(5);
            assertThat(byName.get("layer.bias").toFloatArray()).containsExactly(v);
        }
    }

    // ---- rounding against brute-force nearest-value references ----

    /** The representable half nearest to x (ties to the even bit pattern), found by search over all halves. */
    static float nearestHalf(float x) {
        if (Float.isNaN(x)) {
            return Float.NaN;
        }
        double ax = Math.abs((double) x);
        if (ax >= 65520) { // 65504 + half an ulp (16): IEEE rounds to infinity
            return Math.copySign(Float.POSITIVE_INFINITY, x);
        }
        int lo = 0;
        int hi = 0x7BFF;
        while (lo < hi) { // largest non-negative half ≤ |x|; positive halves are ordered by bit pattern
            int mid = (lo + hi + 1) >>> 1;
            if (SafetensorsFile.float16ToFloat((short) mid) <= ax) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int best = lo;
        if (lo < 0x7BFF) {
            double below = ax - SafetensorsFile.float16ToFloat((short) lo);
            double above = SafetensorsFile.float16ToFloat((short) (lo + 1)) - ax;
            if (above < below || (above == below && (lo & 1) == 1)) {
                best = lo + 1;
            }
        }
        return (float) Math.copySign(SafetensorsFile.float16ToFloat((short) best), x);
    }

    static float nearestBfloat16(float x) {
        double ax = Math.abs((double) x);
        int truncated = (Float.floatToRawIntBits((float) ax) >>> 16);
        double below = ax - SafetensorsFile.bfloat16ToFloat((short) truncated);
        double above = SafetensorsFile.bfloat16ToFloat((short) (truncated + 1)) - ax;
        int best = above < below || (above == below && (truncated & 1) == 1) ? truncated + 1 : truncated;
        return (float) Math.copySign(SafetensorsFile.bfloat16ToFloat((short) best), x);
    }

    @Test
    void floatToFloat16RoundsToNearestEven() {
        assertThat(SafetensorsWriter.floatToFloat16(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(SafetensorsWriter.floatToFloat16(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(SafetensorsWriter.floatToFloat16(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(SafetensorsWriter.floatToFloat16(65519.99f)).isEqualTo((short) 0x7BFF);
        assertThat(SafetensorsWriter.floatToFloat16(65520f)).isEqualTo((short) 0x7C00);    // tie → even → inf
        assertThat(SafetensorsWriter.floatToFloat16(1e10f)).isEqualTo((short) 0x7C00);
        assertThat(SafetensorsWriter.floatToFloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
        assertThat(SafetensorsWriter.floatToFloat16(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(SafetensorsWriter.floatToFloat16(0x1p-25f)).isEqualTo((short) 0x0000); // tie → even → 0
        assertThat(SafetensorsWriter.floatToFloat16(0x1.8p-25f)).isEqualTo((short) 0x0001);
        assertThat(SafetensorsWriter.floatToFloat16(0x1.8p-24f)).isEqualTo((short) 0x0002); // 1.5 ulp tie → 2
        assertThat(SafetensorsWriter.floatToFloat16(1023.5f * 0x1p-24f * 1)).isEqualTo((short) 0x0400); // carries to normal
        assertThat(SafetensorsWriter.floatToFloat16(1 + 0x1p-11f)).isEqualTo((short) 0x3C00);  // tie → even
        assertThat(SafetensorsWriter.floatToFloat16(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02);
        assertThat(SafetensorsWriter.floatToFloat16(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(SafetensorsWriter.floatToFloat16(1e-30f)).isEqualTo((short) 0x0000);
        short nan = SafetensorsWriter.floatToFloat16(Float.NaN);
        assertThat(SafetensorsFile.float16ToFloat(nan)).isNaN();
    }

    @Test
    void floatToFloat16MatchesBruteForceNearestOnRandomFloats() {
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            // Exponents from far below the subnormals to beyond the max, plus random mantissas.
            float x = (float) ((random.nextBoolean() ? 1 : -1) * (1 + random.nextDouble()) * Math.pow(2, random.nextInt(50) - 30));
            float expected = nearestHalf(x);
            float actual = SafetensorsFile.float16ToFloat(SafetensorsWriter.floatToFloat16(x));
            assertThat(actual).as("f16(%s)", x).isEqualTo(expected);
        }
    }

    @Test
    void everyHalfSurvivesAFloatRoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = SafetensorsFile.float16ToFloat((short) h);
            short back = SafetensorsWriter.floatToFloat16(f);
            if (Float.isNaN(f)) {
                assertThat(SafetensorsFile.float16ToFloat(back)).isNaN();
            } else {
                assertThat(back & 0xFFFF).as("0x%04x", h).isEqualTo(h);
            }
        }
    }

    @Test
    void floatToBFloat16RoundsToNearestEven() {
        assertThat(SafetensorsWriter.floatToBFloat16(1.0f)).isEqualTo((short) 0x3F80);
        assertThat(SafetensorsWriter.floatToBFloat16(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(SafetensorsWriter.floatToBFloat16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80); // tie → even
        assertThat(SafetensorsWriter.floatToBFloat16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82); // tie → even
        assertThat(SafetensorsWriter.floatToBFloat16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(SafetensorsFile.bfloat16ToFloat(SafetensorsWriter.floatToBFloat16(Float.NaN))).isNaN();
        Random random = new Random(12);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) ((random.nextBoolean() ? 1 : -1) * (1 + random.nextDouble()) * Math.pow(2, random.nextInt(200) - 100));
            assertThat(SafetensorsFile.bfloat16ToFloat(SafetensorsWriter.floatToBFloat16(x))).as("bf16(%s)", x)
                    .isEqualTo(nearestBfloat16(x));
        }
    }

    // ---- validation and atomicity ----

    @Test
    void entriesAreValidated() {
        assertThatThrownBy(() -> new Entry("w", DType.F32, new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"w\"")
                .hasMessageContaining("holds 6 values, but data has 5");
        assertThatThrownBy(() -> new Entry("", DType.F32, new long[] {1}, new float[1]))
                .hasMessageContaining("non-empty");
        assertThatThrownBy(() -> new Entry("w", DType.I64, new long[] {1}, new float[1]))
                .hasMessageContaining("F32, F16 or BF16");
        assertThatThrownBy(() -> new Entry("w", DType.F32, new long[] {-1}, new float[0]))
                .hasMessageContaining(">= 0");
        assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("dup.safetensors"), List.of(
                new Entry("w", new long[] {1}, new float[1]), new Entry("w", new long[] {1}, new float[1])), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate tensor name \"w\"");
        assertThat(Files.exists(dir.resolve("dup.safetensors"))).isFalse();
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTempFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old contents, not safetensors");
        SafetensorsWriter.write(file, List.of(new Entry("x", new long[] {2}, new float[] {3, 4})), Map.of());
        SafetensorsWriter.write(file, List.of(new Entry("y", new long[] {1}, new float[] {5})), Map.of("v", "2"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("y");
            assertThat(f.metadata()).containsExactly(Map.entry("v", "2"));
            assertThat(f.readFloats("y")).containsExactly(5f);
        }
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTempFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(new Entry("x", new long[] {1}, new float[] {1})), Map.of());
        byte[] before = Files.readAllBytes(file);
        Map<String, String> badMetadata = new LinkedHashMap<>();
        badMetadata.put("k", null);
        assertThatThrownBy(() -> SafetensorsWriter.write(file,
                List.of(new Entry("x", new long[] {1}, new float[] {2})), badMetadata))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void writesEmptyFileWithOnlyMetadata() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, List.of(), Map.of("k", "v"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).isEmpty();
            assertThat(f.metadata()).containsExactly(Map.entry("k", "v"));
        }
        assertThat(Arrays.asList(dir.toFile().list())).containsExactly("empty.safetensors");
    }
}
