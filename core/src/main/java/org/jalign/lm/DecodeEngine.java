package org.jalign.lm;

/**
 * Which code runs the decode steps of {@link Generator} (the prefill always runs on DJL: it is
 * one large batch of matrix products, which libtorch does well).
 *
 * <ul>
 *   <li>{@code AUTO}: the plain-Java Vector API path when the model supports it (Llama/Qwen2, float32
 *       weights, no enabled LoRA adapters, {@code jdk.incubator.vector} resolved), otherwise DJL.</li>
 *   <li>{@code DJL}: libtorch ops through DJL, one op at a time.</li>
 *   <li>{@code JAVA}: the Java path, or an error saying why it does not apply.</li>
 * </ul>
 *
 * <p>The default is {@code AUTO}; the system property {@code jalign.decode.engine} ({@code auto},
 * {@code djl}, {@code java}) overrides it process-wide, for comparisons and tests.
 */
public enum DecodeEngine {
    AUTO, DJL, JAVA;

    /** The engine named by {@code jalign.decode.engine}, or {@code AUTO}. */
    public static DecodeEngine fromSystemProperty() {
        String name = System.getProperty("jalign.decode.engine", "auto");
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jalign.decode.engine must be auto, djl or java, got \"" + name + "\"");
        }
    }

    /** True when the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }
}
