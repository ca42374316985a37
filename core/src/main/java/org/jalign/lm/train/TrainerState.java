package org.jalign.lm.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.data.AtomicFiles;
import org.jalign.lm.Parameter;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.AdamWState;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What resuming a trainer needs, in one checkpoint directory: the trainable weights
 * ({@code trainable.safetensors}), AdamW's moments ({@code optimizer.safetensors}, keys
 * {@code exp_avg.NAME} and {@code exp_avg_sq.NAME}) and the step ({@code trainer.json}). Shared by
 * every trainer (causal LM, reward model), so their checkpoints have one format.
 */
public final class TrainerState {

    private TrainerState() {
    }

    /** Writes {@code trainable} and {@code optimizer}'s state into {@code dir}. */
    public static void save(Path dir, List<Parameter> trainable, AdamW optimizer) throws IOException {
        Files.createDirectories(dir);
        List<SafetensorsWriter.Entry> weights = new ArrayList<>();
        for (Parameter p : trainable) {
            weights.add(new SafetensorsWriter.Entry(p.name(), DType.F32, p.array().getShape().getShape(),
                    p.array().toFloatArray()));
        }
        SafetensorsWriter.write(dir.resolve("trainable.safetensors"), weights, Map.of());
        AdamWState state = optimizer.exportState();
        List<SafetensorsWriter.Entry> moments = new ArrayList<>();
        for (Parameter p : trainable) {
            long[] shape = p.array().getShape().getShape();
            moments.add(new SafetensorsWriter.Entry("exp_avg." + p.name(), DType.F32, shape,
                    state.firstMoments().get(p.name())));
            moments.add(new SafetensorsWriter.Entry("exp_avg_sq." + p.name(), DType.F32, shape,
                    state.secondMoments().get(p.name())));
        }
        SafetensorsWriter.write(dir.resolve("optimizer.safetensors"), moments, Map.of());
        JsonObject trainer = new JsonObject();
        trainer.addProperty("step", state.step());
        AtomicFiles.writeString(dir.resolve("trainer.json"), trainer + "\n");
    }

    /**
     * Restores a state written by {@link #save} into {@code trainable} (in place) and
     * {@code optimizer}; every tensor is checked by name and shape, and errors name the file.
     */
    public static void load(Path dir, List<Parameter> trainable, AdamW optimizer) throws IOException {
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("trainable.safetensors"));
             SafetensorsFile moments = SafetensorsFile.open(dir.resolve("optimizer.safetensors"))) {
            for (Parameter p : trainable) {
                long[] shape = p.array().getShape().getShape();
                p.array().set(read(weights, p.name(), shape));
                first.put(p.name(), read(moments, "exp_avg." + p.name(), shape));
                second.put(p.name(), read(moments, "exp_avg_sq." + p.name(), shape));
            }
        }
        Path trainerFile = dir.resolve("trainer.json");
        long step;
        try {
            step = JsonParser.parseString(Files.readString(trainerFile, StandardCharsets.UTF_8))
                    .getAsJsonObject().get("step").getAsLong();
        } catch (RuntimeException e) {
            throw new IOException(trainerFile + ": expected {\"step\": N} (" + e.getMessage() + ")", e);
        }
        optimizer.importState(new AdamWState(step, first, second));
    }

    private static float[] read(SafetensorsFile file, String name, long[] shape) throws IOException {
        if (!file.contains(name)) {
            throw new IOException(file.file() + ": missing tensor \"" + name + "\"; the checkpoint was written for "
                    + "another model or LoRA setting");
        }
        long[] stored = file.info(name).shape();
        if (!Arrays.equals(stored, shape)) {
            throw new IOException(file.file() + ": tensor \"" + name + "\" has shape " + Arrays.toString(stored)
                    + ", the model needs " + Arrays.toString(shape));
        }
        return file.readFloats(name);
    }
}
