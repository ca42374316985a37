package org.jalign.run;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jalign.data.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory every training command writes: {@code manifest.json} (config, seed, versions,
 * input hashes), {@code metrics.jsonl} (one line per logged step), {@code checkpoints/step-N/}
 * (each written to a temporary directory and renamed into place, so a checkpoint either exists
 * whole or not at all, even after kill -9) and {@code final/}.
 */
public final class RunDirectory {
    private static final String CHECKPOINT_PREFIX = "step-";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens {@code dir} for a new run (it must not exist, or be empty) or, with {@code resume},
     * an existing run (it must hold a manifest.json).
     */
    public static RunDirectory open(Path dir, boolean resume) throws IOException {
        if (resume) {
            if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                throw new IOException("--resume: " + dir + " holds no manifest.json, so it is not a run directory");
            }
        } else if (Files.exists(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("run directory " + dir + " exists and is not empty; pass --resume to continue "
                            + "that run, or choose another --out");
                }
            }
        }
        Files.createDirectories(dir.resolve("checkpoints"));
        return new RunDirectory(dir);
    }

    /**
     * Opens {@code dir} for a run described by {@code manifest}: a new run writes the manifest; a
     * resumed one must have been started with the same config and inputs (same file hashes), so a
     * run is never continued with other settings or data by mistake.
     */
    public static RunDirectory start(Path dir, boolean resume, JsonObject manifest) throws IOException {
        RunDirectory run = open(dir, resume);
        if (resume) {
            JsonObject before = run.readManifest();
            // compare what was written with what would be written now: the file drops null fields
            // (Gson's default), so {"lora": null} in memory must not count as a different config
            JsonObject now = JsonParser.parseString(new GsonBuilder().create().toJson(manifest)).getAsJsonObject();
            for (String key : List.of("command", "config", "inputs")) {
                if (!java.util.Objects.equals(before.get(key), now.get(key))) {
                    throw new IOException("--resume: " + dir + " was started with other " + key + ": "
                            + before.get(key) + " (now " + manifest.get(key) + ")");
                }
            }
        } else {
            run.writeManifest(manifest);
        }
        return run;
    }

    public Path dir() {
        return dir;
    }

    public Path finalDir() {
        return dir.resolve("final");
    }

    /**
     * The manifest of a run: what was asked (config), with which seed, on which software, from
     * which inputs (SHA-256 of each file).
     */
    public static JsonObject manifest(String command, JsonObject config, long seed, Map<String, Path> inputs)
            throws IOException {
        Map<String, HashedInput> hashed = new LinkedHashMap<>();
        for (Map.Entry<String, Path> input : inputs.entrySet()) {
            hashed.put(input.getKey(), new HashedInput(input.getValue().toString(), sha256(input.getValue())));
        }
        return manifestWithHashes(command, config, seed, hashed);
    }

    /** An input of a run: where it was read from and the SHA-256 of its bytes (hex). */
    public record HashedInput(String path, String sha256) {
    }

    /**
     * {@link #manifest}'s object for inputs the caller has hashed (a Spark job reads them from a
     * Hadoop file system): command, created, seed, config, versions, inputs, in that order.
     */
    public static JsonObject manifestWithHashes(String command, JsonObject config, long seed,
                                                Map<String, HashedInput> inputs) {
        JsonObject m = new JsonObject();
        m.addProperty("command", command);
        m.addProperty("created", Instant.now().toString());
        m.addProperty("seed", seed);
        m.add("config", config);
        JsonObject versions = new JsonObject();
        Versions.all().forEach(versions::addProperty);
        m.add("versions", versions);
        JsonObject hashes = new JsonObject();
        inputs.forEach((name, input) -> {
            JsonObject h = new JsonObject();
            h.addProperty("path", input.path());
            h.addProperty("sha256", input.sha256());
            hashes.add(name, h);
        });
        m.add("inputs", hashes);
        return m;
    }

    /** Writes manifest.json atomically. */
    public void writeManifest(JsonObject manifest) throws IOException {
        AtomicFiles.writeString(dir.resolve("manifest.json"), new GsonBuilder().setPrettyPrinting().create().toJson(manifest) + "\n");
    }

    public JsonObject readManifest() throws IOException {
        Path file = dir.resolve("manifest.json");
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(file + ": not a valid manifest (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Opens metrics.jsonl for appending. On resume from {@code resumedStep}, lines logged after
     * that step (by the run that was interrupted) are dropped first, so every step appears once.
     */
    public BufferedWriter openMetrics(long resumedStep) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    if (o.has("step") && o.get("step").getAsLong() <= resumedStep) {
                        kept.add(line);
                    }
                } catch (RuntimeException torn) {
                    // a line cut by kill -9 mid-write: drop it
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        }
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A fresh temporary directory inside checkpoints/ to write the next checkpoint into. */
    public Path stageCheckpoint() throws IOException {
        return Files.createTempDirectory(dir.resolve("checkpoints"), ".staging-");
    }

    /**
     * Renames a fully written staging directory to checkpoints/step-N (atomically), then deletes
     * all but the newest {@code keepLast} checkpoints and any staging left by a crash.
     */
    public Path commitCheckpoint(Path staged, long step, int keepLast) throws IOException {
        Path target = dir.resolve("checkpoints").resolve(String.format("%s%010d", CHECKPOINT_PREFIX, step));
        if (Files.exists(target)) {
            AtomicFiles.deleteRecursively(target);
        }
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - Math.max(1, keepLast); i++) {
            AtomicFiles.deleteRecursively(all.get(i));
        }
        try (Stream<Path> entries = Files.list(dir.resolve("checkpoints"))) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(".staging-")).toList()) {
                AtomicFiles.deleteRecursively(p);
            }
        }
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latestCheckpoint() throws IOException {
        List<Path> all = checkpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The step a checkpoint directory holds. */
    public static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring(CHECKPOINT_PREFIX.length()));
    }

    private List<Path> checkpoints() throws IOException {
        try (Stream<Path> entries = Files.list(dir.resolve("checkpoints"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(CHECKPOINT_PREFIX))
                    .sorted(Comparator.comparingLong(RunDirectory::stepOf)).toList();
        }
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
