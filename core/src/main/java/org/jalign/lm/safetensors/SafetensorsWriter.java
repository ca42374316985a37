package org.jalign.lm.safetensors;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes float tensors as safetensors files, atomically: each file is written to
 * {@code NAME.tmp-RANDOM} in the same directory, fsynced, then renamed over {@code NAME}, so a
 * crash leaves either the old file or the new one, never half of one.
 */
public final class SafetensorsWriter {

    /** The index Hugging Face writes next to shards. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** The single-file checkpoint name. */
    public static final String SINGLE_FILE = "model.safetensors";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER_BYTES = 1 << 20;

    private SafetensorsWriter() {
    }

    /**
     * One tensor to write. {@code data} is row-major, converted to {@code dtype} when written
     * (F16 and BF16 rounded to nearest, ties to even). The array is not copied.
     */
    public record Entry(String name, DType dtype, long[] shape, float[] data) {
        public Entry {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("tensor name must be non-empty");
            }
            if ("__metadata__".equals(name)) {
                throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
            }
            if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
                throw new IllegalArgumentException("tensor \"" + name + "\": dtype must be F32, F16 or BF16, got " + dtype);
            }
            if (shape == null || data == null) {
                throw new IllegalArgumentException("tensor \"" + name + "\": shape and data must not be null");
            }
            shape = shape.clone();
            long count = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor \"" + name + "\": shape dims must be >= 0, got "
                            + Arrays.toString(shape));
                }
                count = Math.multiplyExact(count, d);
            }
            if (count != data.length) {
                throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape) + " holds "
                        + count + " values, but data has " + data.length);
            }
        }

        /** A float32 entry. */
        public Entry(String name, long[] shape, float[] data) {
            this(name, DType.F32, shape, data);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Bytes this tensor takes in the file. */
        public long byteLength() {
            return (long) data.length * dtype.byteSize();
        }
    }

    /** Writes {@code tensors} in the given order, contiguous, to {@code file}; {@code metadata} may be empty or null. */
    public static void write(Path file, List<Entry> tensors, Map<String, String> metadata) throws IOException {
        checkUniqueNames(tensors);
        // 1. Header: metadata first, then tensors in order with contiguous offsets.
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + metadata);
                }
                meta.addProperty(e.getKey(), e.getValue());
            }
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Entry t : tensors) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + t.byteLength());
            entry.add("data_offsets", offsets);
            header.add(t.name(), entry);
            offset += t.byteLength();
        }
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        byte[] json = gson.toJson(header).getBytes(StandardCharsets.UTF_8);
        // 2. Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        atomically(file, channel -> {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(headerBytes.length);
            drain(channel, buffer);
            writeFully(channel, ByteBuffer.wrap(headerBytes));
            // 3. Data, converted element by element through one reusable buffer.
            for (Entry t : tensors) {
                for (float v : t.data()) {
                    if (buffer.remaining() < 4) {
                        drain(channel, buffer);
                    }
                    switch (t.dtype()) {
                        case F32 -> buffer.putFloat(v);
                        case F16 -> buffer.putShort(floatToFloat16(v));
                        case BF16 -> buffer.putShort(floatToBFloat16(v));
                        default -> throw new AssertionError(t.dtype());
                    }
                }
            }
            drain(channel, buffer);
        });
    }

    /**
     * Writes {@code tensors} to {@code dir} as Hugging Face shards of at most {@code maxShardBytes}
     * of data each ({@code model-00001-of-00003.safetensors}, ...) plus {@code model.safetensors.index.json}
     * whose metadata holds {@code total_size} and {@code metadata}. Tensors keep their order; one
     * larger than the limit gets a shard of its own. When everything fits in one shard, writes plain
     * {@code model.safetensors} instead. Shards are written before the index, each atomically.
     */
    public static void writeSharded(Path dir, List<Entry> tensors, long maxShardBytes, Map<String, String> metadata)
            throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be > 0, got " + maxShardBytes);
        }
        checkUniqueNames(tensors);
        Files.createDirectories(dir);
        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long currentBytes = 0;
        long totalBytes = 0;
        for (Entry t : tensors) {
            if (!current.isEmpty() && currentBytes + t.byteLength() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteLength();
            totalBytes += t.byteLength();
        }
        shards.add(current);
        if (shards.size() == 1) {
            write(dir.resolve(SINGLE_FILE), shards.get(0), metadata);
            return;
        }
        JsonObject weightMap = new JsonObject();
        for (int i = 0; i < shards.size(); i++) {
            String shardName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            write(dir.resolve(shardName), shards.get(i), metadata);
            for (Entry t : shards.get(i)) {
                weightMap.addProperty(t.name(), shardName);
            }
        }
        JsonObject indexMetadata = new JsonObject();
        indexMetadata.addProperty("total_size", totalBytes);
        if (metadata != null) {
            metadata.forEach((k, v) -> {
                if (!k.equals("total_size")) {
                    indexMetadata.addProperty(k, v);
                }
            });
        }
        JsonObject index = new JsonObject();
        index.add("metadata", indexMetadata);
        index.add("weight_map", weightMap);
        byte[] indexBytes = (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(index) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        atomically(dir.resolve(INDEX_FILE), channel -> writeFully(channel, ByteBuffer.wrap(indexBytes)));
    }

    /** IEEE binary32 to bfloat16: keep the top 16 bits, rounding to nearest even; NaN stays a quiet NaN. */
    public static short floatToBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /**
     * IEEE binary32 to binary16, rounding to nearest even: overflow gives ±infinity, tiny values
     * become subnormals or ±0, NaN stays a quiet NaN.
     */
    public static short floatToFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7F_FFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExponent <= 0) {
            // Subnormal half: value / 2^-24, i.e. the 24-bit significand shifted right by 14 - halfExponent.
            if (halfExponent < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int significand = mantissa | 0x80_0000;
            int shift = 14 - halfExponent;
            int kept = significand >>> shift;
            int rest = significand & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (kept & 1) != 0)) {
                kept++; // may carry into the smallest normal, 0x0400, which is the right encoding
            }
            return (short) (sign | kept);
        }
        int half = (halfExponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is correct, up to 0x7C00 = infinity
        }
        return (short) (sign | half);
    }

    private static void checkUniqueNames(List<Entry> tensors) {
        Set<String> seen = new HashSet<>();
        for (Entry t : tensors) {
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name \"" + t.name() + "\"");
            }
        }
    }

    private interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes a sibling temp file, fsyncs it, renames it over {@code file}, then fsyncs the directory. */
    private static void atomically(Path file, Body body) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = dir.resolve(absolute.getFileName() + ".tmp-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        // Make the rename itself durable; not every platform lets a directory be opened, so best effort.
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
            dirChannel.force(true);
        } catch (IOException ignored) {
            // e.g. Windows: directories cannot be opened as channels
        }
    }

    /** Writes what was put into a reusable buffer, then empties it for reuse. */
    private static void drain(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.flip();
        writeFully(channel, buffer);
        buffer.clear();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
