package org.jalign.lm.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads files built byte by byte here with {@link ByteBuffer}, independent of our writer, and
 * checks that every kind of corrupt file fails with a message naming file, tensor and expectation.
 */
class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** A safetensors file: u64 LE header length, the header as given (no padding), then data. */
    static byte[] build(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        return b.array();
    }

    static byte[] littleEndian(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private Path save(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void readsHandBuiltFileWithF32Bf16F16I64AndMetadata() throws IOException {
        byte[] data = littleEndian(12 + 8 + 10 + 16, b -> {
            b.putFloat(1.5f).putFloat(-2.25f).putFloat(1e-3f);                       // f32 [0, 12)
            b.putShort((short) 0x3F80).putShort((short) 0xC000)                      // bf16 [12, 20)
                    .putShort((short) 0x4049).putShort((short) 0x0000);
            b.putShort((short) 0x3C00).putShort((short) 0x0001).putShort((short) 0x7C00)  // f16 [20, 30)
                    .putShort((short) 0x7E00).putShort((short) 0xFBFF);
            b.putLong(-7L).putLong(1L << 40);                                        // i64 [30, 46)
        });
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"héllo\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[12,20]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[20,30]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[30,46]}}";
        try (SafetensorsFile f = SafetensorsFile.open(save("hand.safetensors", build(header, data)))) {
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"), Map.entry("note", "héllo"));
            assertThat(f.names()).containsExactly("w", "b", "h", "ids");
            assertThat(f.contains("b")).isTrue();
            assertThat(f.contains("__metadata__")).isFalse();
            assertThat(f.info("b").shape()).containsExactly(2, 2);
            assertThat(f.info("b").dtype()).isEqualTo(DType.BF16);
            assertThat(f.info("ids").elementCount()).isEqualTo(2);
            assertThat(f.readFloats("w")).containsExactly(1.5f, -2.25f, 1e-3f);
            // bf16 0x4049 = 0x40490000 as f32 = 3.140625
            assertThat(f.readFloats("b")).containsExactly(1.0f, -2.0f, 3.140625f, 0.0f);
            float[] h = f.readFloats("h");
            assertThat(h[0]).isEqualTo(1.0f);
            assertThat(h[1]).isEqualTo((float) Math.pow(2, -24));
            assertThat(h[2]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(h[3]).isNaN();
            assertThat(h[4]).isEqualTo(-65504f);
            assertThat(f.readLongs("ids")).containsExactly(-7L, 1L << 40);
        }
    }

    @Test
    void readsIntoFloatBufferAtItsPositionAndConvertsF64() throws IOException {
        byte[] data = littleEndian(16, b -> b.putDouble(0.1).putDouble(-3.0));
        Path file = save("f64.safetensors", build("{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", data));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            FloatBuffer dst = FloatBuffer.allocate(4);
            dst.put(9f);
            f.readFloats("d", dst);
            assertThat(dst.position()).isEqualTo(3);
            assertThat(dst.array()).containsExactly(9f, 0.1f, -3.0f, 0f);
            assertThatThrownBy(() -> f.readFloats("d", FloatBuffer.allocate(1)))
                    .isInstanceOf(IOException.class).hasMessageContaining("\"d\"").hasMessageContaining("room for 1");
        }
    }

    @Test
    void readsSmallIntegerTypesAndEmptyAndScalarTensors() throws IOException {
        byte[] data = littleEndian(4 + 2 + 1 + 1 + 2 + 4, b -> {
            b.putInt(-5);                       // i32 [0,4)
            b.putShort((short) -300);           // i16 [4,6)
            b.put((byte) 0xFF);                 // u8  [6,7)
            b.put((byte) 0xFF);                 // i8  [7,8)
            b.put((byte) 0).put((byte) 1);      // bool [8,10)
            b.putFloat(42f);                    // f32 scalar [10,14)
        });
        String header = "{\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[4,6]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[6,7]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[7,8]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[8,10]},"
                + "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[10,14]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[14,14]}}";
        try (SafetensorsFile f = SafetensorsFile.open(save("ints.safetensors", build(header, data)))) {
            assertThat(f.readLongs("i32")).containsExactly(-5);
            assertThat(f.readLongs("i16")).containsExactly(-300);
            assertThat(f.readLongs("u8")).containsExactly(255);
            assertThat(f.readLongs("i8")).containsExactly(-1);
            assertThat(f.readLongs("bool")).containsExactly(0, 1);
            assertThat(f.readFloats("scalar")).containsExactly(42f);
            assertThat(f.readFloats("empty")).isEmpty();
        }
    }

    /** A sparse 3 GB file: a tensor past the 2 GB mark is read through a long file offset. */
    @Test
    void readsATensorBeyondTwoGigabytes() throws IOException {
        long filler = 3L << 30;
        String header = "{\"filler\":{\"dtype\":\"U8\",\"shape\":[" + filler + "],\"data_offsets\":[0," + filler + "]},"
                + "\"tail\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + filler + "," + (filler + 4) + "]}}";
        byte[] head = build(header, new byte[0]);
        Path file = dir.resolve("sparse.safetensors");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(head.length + filler + 4); // sparse: takes no disk space
            raf.seek(head.length + filler);
            raf.write(littleEndian(4, b -> b.putShort((short) 0x3F80).putShort((short) 0xC000)));
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.info("filler").elementCount()).isEqualTo(filler);
            assertThat(f.readFloats("tail")).containsExactly(1.0f, -2.0f);
            assertThatThrownBy(() -> f.readLongs("filler")).isInstanceOf(IOException.class)
                    .hasMessageContaining("too many for one long[]");
        }
    }

    @Test
    void tensorInfoCopiesItsShape() {
        long[] shape = {2, 3};
        TensorInfo info = new TensorInfo("x", DType.F32, shape, 0, 24);
        shape[0] = 99;
        info.shape()[1] = 99;
        assertThat(info.shape()).containsExactly(2, 3);
        assertThat(info.elementCount()).isEqualTo(6);
    }

    // ---- conversions against independent references ----

    @Test
    void float16KnownBitPatterns() {
        assertThat(SafetensorsFile.float16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(SafetensorsFile.float16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(SafetensorsFile.float16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(SafetensorsFile.float16ToFloat((short) 0x0400)).isEqualTo(0x1p-14f);        // smallest normal
        assertThat(SafetensorsFile.float16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(SafetensorsFile.float16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(SafetensorsFile.float16ToFloat((short) 0x7E00)).isNaN();
        assertThat(SafetensorsFile.float16ToFloat((short) 0x7C01)).isNaN();
        assertThat(SafetensorsFile.float16ToFloat((short) 0xFBFF)).isEqualTo(-65504f);
        assertThat(SafetensorsFile.float16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(Float.floatToRawIntBits(SafetensorsFile.float16ToFloat((short) 0x8000))).isEqualTo(0x8000_0000);
        assertThat(SafetensorsFile.bfloat16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(SafetensorsFile.bfloat16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
    }

    /** Every one of the 65536 halves against the textbook formula (−1)^s · 2^(e−15) · (1 + m/1024). */
    @Test
    void float16MatchesTheDefiningFormulaForAllBitPatterns() {
        for (int h = 0; h < 0x10000; h++) {
            int s = h >>> 15;
            int e = (h >>> 10) & 0x1F;
            int m = h & 0x3FF;
            float actual = SafetensorsFile.float16ToFloat((short) h);
            if (e == 31) {
                assertThat(Float.isNaN(actual)).as("0x%04x", h).isEqualTo(m != 0);
                if (m == 0) {
                    assertThat(actual).isEqualTo(s == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
                }
                continue;
            }
            double magnitude = e == 0 ? m * Math.pow(2, -24) : (1 + m / 1024.0) * Math.pow(2, e - 15);
            double expected = s == 0 ? magnitude : -magnitude;
            assertThat((double) actual).as("0x%04x", h).isEqualTo(expected);
        }
    }

    // ---- bad input: every error names the file, the tensor, and what was expected ----

    private void assertOpenFails(String name, byte[] bytes, String... fragments) throws IOException {
        Path file = save(name, bytes);
        var thrown = assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
        for (String fragment : fragments) {
            thrown.hasMessageContaining(fragment);
        }
    }

    @Test
    void emptyFile() throws IOException {
        assertOpenFails("empty.safetensors", new byte[0], "expected at least 8 bytes", "found 0 bytes");
    }

    @Test
    void shorterThanTheLengthPrefix() throws IOException {
        assertOpenFails("short.safetensors", new byte[] {1, 0, 0}, "expected at least 8 bytes", "found 3 bytes");
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        byte[] bytes = littleEndian(8 + 4, b -> b.putLong(1000).put("{}  ".getBytes(StandardCharsets.US_ASCII)));
        assertOpenFails("longheader.safetensors", bytes, "header length 1000", "found 12 bytes");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        assertOpenFails("huge.safetensors", littleEndian(8, b -> b.putLong(-1L)),
                "header length 18446744073709551615", "at most 100000000");
    }

    @Test
    void headerIsNotJson() throws IOException {
        assertOpenFails("notjson.safetensors", build("{\"w\": {dtype: F32", new byte[0]), "not valid JSON");
        assertOpenFails("trailing.safetensors", build("{} {}", new byte[0]), "not valid JSON", "line 1 column 5");
        assertOpenFails("badutf8.safetensors",
                littleEndian(10, b -> b.putLong(2).put((byte) 0xC3).put((byte) 0x28)), "not valid UTF-8");
    }

    @Test
    void headerIsNotAnObject() throws IOException {
        assertOpenFails("array.safetensors", build("[1, 2]", new byte[0]), "must be a JSON object", "found an array");
        assertOpenFails("blank.safetensors", build("        ", new byte[0]), "not valid JSON");
    }

    @Test
    void unknownDtype() throws IOException {
        assertOpenFails("dtype.safetensors",
                build("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "unknown dtype \"F8_E4M3\" for tensor \"w\"");
    }

    @Test
    void wrongJsonTypesInAnEntry() throws IOException {
        assertOpenFails("entry.safetensors", build("{\"w\":[1]}", new byte[0]), "tensor \"w\"", "expected an object");
        assertOpenFails("dtypenum.safetensors",
                build("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor \"w\"", "expected \"dtype\" to be a string, found 4");
        assertOpenFails("shapestr.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor \"w\"", "expected \"shape\" to be an array of non-negative integers");
        assertOpenFails("negdim.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor \"w\"", "non-negative integers, found [-1]");
        assertOpenFails("fracdim.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor \"w\"", "non-negative integers");
        assertOpenFails("offsets3.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[8]),
                "tensor \"w\"", "expected \"data_offsets\" to have 2 entries");
        assertOpenFails("nooffsets.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]),
                "tensor \"w\"", "\"data_offsets\"", "found null");
        assertOpenFails("metadata.safetensors", build("{\"__metadata__\":{\"k\":1}}", new byte[0]),
                "\"__metadata__\" value for \"k\" must be a string");
        assertOpenFails("dup.safetensors",
                build("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                        + "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", new byte[2]),
                "names \"w\" twice");
    }

    @Test
    void shapeDisagreesWithOffsets() throws IOException {
        assertOpenFails("mismatch.safetensors",
                build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", new byte[24]),
                "tensor \"w\"", "shape [2, 3] of F32 needs 24 bytes", "span 12");
        assertOpenFails("backwards.safetensors",
                build("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", new byte[4]),
                "tensor \"w\"", "end before they begin");
    }

    @Test
    void offsetsPastTheEndOfATruncatedFile() throws IOException {
        byte[] whole = build("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertOpenFails("truncated.safetensors", truncated,
                "tensor \"w\"", "data_offsets [0, 16] run past the end of the data region (13 bytes)");
    }

    @Test
    void overlappingRegions() throws IOException {
        assertOpenFails("overlap.safetensors",
                build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensor \"b\"", "overlap tensor \"a\"", "expected disjoint regions");
    }

    @Test
    void missingTensorAndWrongReadKind() throws IOException {
        byte[] data = littleEndian(12, b -> b.putFloat(1f).putLong(3L));
        Path file = save("kinds.safetensors", build("{\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]}}", data));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> f.info("nope")).isInstanceOf(IOException.class)
                    .hasMessageContaining("no tensor \"nope\"").hasMessageContaining(file.toString());
            assertThatThrownBy(() -> f.readFloats("nope")).isInstanceOf(IOException.class)
                    .hasMessageContaining("no tensor \"nope\"");
            assertThatThrownBy(() -> f.readLongs("f")).isInstanceOf(IOException.class)
                    .hasMessageContaining("tensor \"f\"").hasMessageContaining(file.toString())
                    .hasMessageContaining("has dtype F32").hasMessageContaining("expects an integer dtype");
            assertThatThrownBy(() -> f.readFloats("i")).isInstanceOf(IOException.class)
                    .hasMessageContaining("tensor \"i\"").hasMessageContaining(file.toString())
                    .hasMessageContaining("has dtype I64").hasMessageContaining("expects a floating-point dtype");
            assertThat(f.readLongs("i")).containsExactly(3L);
        }
    }

    @Test
    void readingAfterCloseFailsClearly() throws IOException {
        Path file = save("closed.safetensors",
                build("{\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        SafetensorsFile f = SafetensorsFile.open(file);
        f.close();
        assertThatThrownBy(() -> f.readFloats("f")).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void fileCutShortAfterOpenFailsInsteadOfFaulting() throws IOException {
        Path file = save("shrinks.safetensors",
                build("{\"f\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(Files.size(file) - 8);
            }
            assertThatThrownBy(() -> f.readFloats("f")).isInstanceOf(IOException.class)
                    .hasMessageContaining("tensor \"f\"").hasMessageContaining("changed since it was opened");
        }
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("absent.safetensors")))
                .isInstanceOf(IOException.class).hasMessageContaining("absent.safetensors");
    }
}
