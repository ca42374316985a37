package org.jalign.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Models loaded once per JVM, keyed by what was loaded (kind, path, options): an executor runs
 * many tasks, and reading a checkpoint for every partition would dominate short tasks.
 *
 * <p>Entries live as long as the executor: their native memory goes with the process. Callers
 * hold the model's monitor while they use it ({@code synchronized (model)}), because jalign's
 * models are not documented as safe for concurrent calls; on a multi-core executor, give one task
 * all the cores ({@code spark.task.cpus} = {@code spark.executor.cores}) and let PyTorch's
 * intra-op threads use them (README, "Beyond one machine").
 */
final class ModelCache {
    private static final Map<String, Object> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {
    }

    /** Something that loads a model from disk. */
    @FunctionalInterface
    interface Loader<T> {
        T load() throws IOException;
    }

    /** The model cached under {@code key}, loading it on first use (other tasks wait for that load). */
    @SuppressWarnings("unchecked")
    static <T> T get(String key, Loader<T> loader) {
        return (T) MODELS.computeIfAbsent(key, k -> {
            try {
                return loader.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);   // the loader's message names the directory
            }
        });
    }
}
