package org.jalign.lm.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** The element types of the safetensors format, spelled as in the header's {@code "dtype"}. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the types {@link SafetensorsFile#readFloats} converts to float32. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Parses a header {@code "dtype"} string.
     *
     * @throws IOException naming the tensor and file when the string is not a known dtype
     */
    public static DType parse(String text, String tensor, Path file) throws IOException {
        for (DType d : values()) {
            if (d.name().equals(text)) {
                return d;
            }
        }
        throw new IOException("unknown dtype \"" + text + "\" for tensor \"" + tensor + "\" in " + file
                + " (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    }
}
