package org.jalign.spark;

import java.nio.file.Files;
import java.nio.file.Path;

/** The driver's check that a model directory is there before any task is sent to load it. */
final class ModelDirectories {
    private ModelDirectories() {
    }

    /**
     * Fails unless {@code dir} is a Hugging Face model directory on the driver's file system (the
     * executors need the same path); a LoRA reward model's directory has an adapter config instead.
     */
    static void require(String dir, boolean adapterAllowed) {
        Path path = Path.of(dir);
        if (!Files.isDirectory(path)) {
            throw new JobFailure("model directory not found: " + dir + " (it must be a local path, e.g. a shared "
                    + "file system, readable at the same path on the driver and every executor)");
        }
        if (adapterAllowed && Files.isRegularFile(path.resolve("adapter_config.json"))) {
            return;
        }
        if (!Files.isRegularFile(path.resolve("config.json"))) {
            throw new JobFailure(dir + " has no config.json; expected a Hugging Face model directory");
        }
    }
}
