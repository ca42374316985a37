package org.jalign.lm.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped a tensor region at a time.
 *
 * <p>{@link #open} reads and validates the whole header before any data is touched (1 length,
 * 2 JSON, 3 every entry's types, 4 sizes against dtype and shape, 5 bounds, 6 overlaps), so a
 * truncated or corrupt file fails with an {@link IOException} that names the file, the tensor
 * and what was expected, and no read can go out of bounds. Data is little-endian; each region is
 * mapped in chunks under 2 GB, so files and tensors may be larger than 2 GB.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers above this are refused as corrupt (the reference implementation uses 100 MB too). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Bytes mapped at once; a multiple of 8 so no element straddles two chunks. */
    private static final long CHUNK_BYTES = 1L << 30;
    private static final String METADATA_KEY = "__metadata__";

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart,
                            Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens and validates {@code file}; the data stays on disk until a tensor is read. */
    public static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return parse(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path file, FileChannel channel) throws IOException {
        // 1. Header length: a u64 that must leave room for itself inside the file.
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new IOException(file + ": not a safetensors file: expected at least 8 bytes (the header length), found "
                    + fileSize + " bytes");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new IOException(file + ": header length " + Long.toUnsignedString(headerLength)
                    + " is not sane (expected at most " + MAX_HEADER_BYTES + " bytes); corrupt or not a safetensors file");
        }
        if (8 + headerLength > fileSize) {
            throw new IOException(file + ": header length " + headerLength + " needs a file of at least "
                    + (8 + headerLength) + " bytes, found " + fileSize + " bytes (truncated?)");
        }
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;

        // 2. The header: strict UTF-8, strict JSON, one object, nothing after it but whitespace.
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8, file);
        headerBytes.flip();
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": header is not valid UTF-8: " + e, e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        boolean seenMetadata = false;
        try (JsonReader reader = new JsonReader(new StringReader(headerText))) {
            reader.setStrictness(Strictness.STRICT);
            JsonToken first = reader.peek();
            if (first != JsonToken.BEGIN_OBJECT) {
                throw new IOException(file + ": header must be a JSON object, found " + describe(first));
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                JsonElement value = JsonParser.parseReader(reader);
                if (name.equals(METADATA_KEY) && !seenMetadata) {
                    seenMetadata = true;
                    parseMetadata(file, value, metadata);
                    continue;
                }
                if (tensors.containsKey(name) || name.equals(METADATA_KEY)) {
                    throw new IOException(file + ": header names \"" + name + "\" twice; expected unique tensor names");
                }
                // 3.-5. each entry's types, size and bounds.
                tensors.put(name, parseEntry(file, name, value, dataSize));
            }
            reader.endObject();
            // In strict mode peek() itself rejects a second value; anything else left is an error too.
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException(file + ": header has content after the top-level object");
            }
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
        } catch (MalformedJsonException | EOFException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
        }

        // 6. No two non-empty regions may share a byte.
        List<TensorInfo> byOffset = new ArrayList<>();
        for (TensorInfo t : tensors.values()) {
            if (t.end() > t.begin()) {
                byOffset.add(t);
            }
        }
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new IOException(file + ": tensor \"" + current.name() + "\" data_offsets [" + current.begin()
                        + ", " + current.end() + ") overlap tensor \"" + previous.name() + "\" [" + previous.begin()
                        + ", " + previous.end() + "); expected disjoint regions");
            }
        }
        return new SafetensorsFile(file, channel, dataStart, metadata, tensors);
    }

    private static void parseMetadata(Path file, JsonElement value, Map<String, String> metadata) throws IOException {
        if (value.isJsonNull()) {
            return;
        }
        if (!value.isJsonObject()) {
            throw new IOException(file + ": \"__metadata__\" must be an object of strings, found " + value);
        }
        for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new IOException(file + ": \"__metadata__\" value for \"" + e.getKey()
                        + "\" must be a string, found " + v);
            }
            metadata.put(e.getKey(), v.getAsString());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonElement value, long dataSize) throws IOException {
        String where = file + ": tensor \"" + name + "\"";
        if (!value.isJsonObject()) {
            throw new IOException(where + ": expected an object with dtype, shape and data_offsets, found " + value);
        }
        var entry = value.getAsJsonObject();
        JsonElement dtypeJson = entry.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
            throw new IOException(where + ": expected \"dtype\" to be a string, found " + dtypeJson);
        }
        DType dtype = DType.parse(dtypeJson.getAsString(), name, file);
        long[] shape = longArray(where, entry.get("shape"), "shape", -1);
        long[] offsets = longArray(where, entry.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];

        long elements = 1;
        long expectedBytes;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            expectedBytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IOException(where + ": shape " + Arrays.toString(shape) + " is too large", e);
        }
        if (end < begin) {
            throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end - begin != expectedBytes) {
            throw new IOException(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expectedBytes + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > dataSize) {
            throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] run past the end of the data"
                    + " region (" + dataSize + " bytes); the file is truncated or corrupt");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private static long[] longArray(String where, JsonElement json, String field, int length) throws IOException {
        if (json == null || !json.isJsonArray()) {
            throw new IOException(where + ": expected \"" + field + "\" to be an array of non-negative integers, found " + json);
        }
        JsonArray array = json.getAsJsonArray();
        if (length >= 0 && array.size() != length) {
            throw new IOException(where + ": expected \"" + field + "\" to have " + length + " entries, found " + array);
        }
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement x = array.get(i);
            long v = -1;
            if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber()) {
                try {
                    // The literal text: rejects 2.5, 1e3 and values beyond a long.
                    v = Long.parseLong(((JsonPrimitive) x).getAsString());
                } catch (NumberFormatException e) {
                    v = -1;
                }
            }
            if (v < 0) {
                throw new IOException(where + ": expected \"" + field + "\" to be an array of non-negative integers, found "
                        + array);
            }
            values[i] = v;
        }
        return values;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case BEGIN_ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "nothing (empty header)";
            default -> token.toString();
        };
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position, Path file) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new IOException(file + ": unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    /** The file this reader maps. */
    public Path file() {
        return file;
    }

    /** The header's {@code __metadata__} (empty when absent), in header order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry for {@code name}. */
    public TensorInfo info(String name) throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IOException("no tensor \"" + name + "\" in " + file + " (it holds " + tensors.size() + " tensors)");
        }
        return info;
    }

    /** Reads a F32, F16, BF16 or F64 tensor as float32 (F64 is rounded). */
    public float[] readFloats(String name) throws IOException {
        TensorInfo info = floatInfo(name);
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException("tensor \"" + name + "\" in " + file + " has " + n
                    + " elements, too many for one float[]; read it into a FloatBuffer");
        }
        float[] out = new float[(int) n];
        readFloats(name, FloatBuffer.wrap(out));
        return out;
    }

    /** Reads a floating-point tensor as float32 into {@code dst} at its position, advancing it. */
    public void readFloats(String name, FloatBuffer dst) throws IOException {
        TensorInfo info = floatInfo(name);
        long n = info.elementCount();
        if (dst.remaining() < n) {
            throw new IOException("tensor \"" + name + "\" in " + file + " has " + n
                    + " elements, but the destination buffer has room for " + dst.remaining());
        }
        DType dtype = info.dtype();
        for (long offset = 0; offset < info.byteLength(); offset += CHUNK_BYTES) {
            ByteBuffer chunk = map(info, offset, Math.min(CHUNK_BYTES, info.byteLength() - offset));
            switch (dtype) {
                case F32 -> dst.put(chunk.asFloatBuffer());
                case F64 -> {
                    var src = chunk.asDoubleBuffer();
                    while (src.hasRemaining()) {
                        dst.put((float) src.get());
                    }
                }
                case BF16 -> {
                    var src = chunk.asShortBuffer();
                    while (src.hasRemaining()) {
                        dst.put(bfloat16ToFloat(src.get()));
                    }
                }
                case F16 -> {
                    var src = chunk.asShortBuffer();
                    while (src.hasRemaining()) {
                        dst.put(float16ToFloat(src.get()));
                    }
                }
                default -> throw new AssertionError(dtype);
            }
        }
    }

    /** Reads an integer tensor (I64, I32, I16, I8, U8 or BOOL as 0/1) as longs. */
    public long[] readLongs(String name) throws IOException {
        TensorInfo info = info(name);
        DType dtype = info.dtype();
        if (dtype.isFloatingPoint()) {
            throw new IOException("tensor \"" + name + "\" in " + file + " has dtype " + dtype
                    + "; readLongs expects an integer dtype (I64, I32, I16, I8, U8, BOOL)");
        }
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException("tensor \"" + name + "\" in " + file + " has " + n + " elements, too many for one long[]");
        }
        long[] out = new long[(int) n];
        int at = 0;
        for (long offset = 0; offset < info.byteLength(); offset += CHUNK_BYTES) {
            ByteBuffer chunk = map(info, offset, Math.min(CHUNK_BYTES, info.byteLength() - offset));
            while (chunk.hasRemaining()) {
                out[at++] = switch (dtype) {
                    case I64 -> chunk.getLong();
                    case I32 -> chunk.getInt();
                    case I16 -> chunk.getShort();
                    case I8 -> chunk.get();
                    case U8 -> chunk.get() & 0xFF;
                    case BOOL -> chunk.get() != 0 ? 1 : 0;
                    default -> throw new AssertionError(dtype);
                };
            }
        }
        return out;
    }

    private TensorInfo floatInfo(String name) throws IOException {
        TensorInfo info = info(name);
        if (!info.dtype().isFloatingPoint()) {
            throw new IOException("tensor \"" + name + "\" in " + file + " has dtype " + info.dtype()
                    + "; readFloats expects a floating-point dtype (F64, F32, F16, BF16); use readLongs");
        }
        return info;
    }

    /** Maps {@code length} bytes at {@code offset} inside a tensor's region, little-endian. */
    private ByteBuffer map(TensorInfo info, long offset, long length) throws IOException {
        if (!channel.isOpen()) {
            throw new IOException(file + " is closed; cannot read tensor \"" + info.name() + "\"");
        }
        long position = dataStart + info.begin() + offset;
        // The header was checked against the size at open; a file cut short since would fault on access.
        long size = channel.size();
        if (position + length > size) {
            throw new IOException(file + ": tensor \"" + info.name() + "\" needs bytes up to " + (position + length)
                    + ", but the file is now " + size + " bytes (changed since it was opened?)");
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, length);
        return mapped.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** bfloat16 is the top half of a float32: shift the bits back into place. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * IEEE 754 binary16 to binary32, exactly (every half is a float): sign, 5-bit exponent
     * (bias 15), 10-bit mantissa. Java 17 has no {@code Float.float16ToFloat} (added in 20).
     */
    public static float float16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            // Zero or subnormal: mantissa · 2^-24, exact in float.
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            // Infinity (mantissa 0) or NaN, keeping the payload in the high mantissa bits.
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        // Normal: rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    /** Closes the file; arrays already read stay valid. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }
}
