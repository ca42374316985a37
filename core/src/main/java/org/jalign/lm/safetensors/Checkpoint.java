package org.jalign.lm.safetensors;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model directory: either one {@code model.safetensors} or the
 * shards listed in {@code model.safetensors.index.json}, each shard opened once. Lookups dispatch
 * to the file holding the tensor. Like Hugging Face's loader, a single file wins over an index.
 */
public final class Checkpoint implements AutoCloseable {

    private final Path dir;
    private final Map<String, String> metadata;
    /** Tensor name → the open file holding it, in index (or header) order. */
    private final Map<String, SafetensorsFile> owners;
    private final List<SafetensorsFile> files;

    private Checkpoint(Path dir, Map<String, String> metadata, Map<String, SafetensorsFile> owners,
                       List<SafetensorsFile> files) {
        this.dir = dir;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.owners = Collections.unmodifiableMap(owners);
        this.files = List.copyOf(files);
    }

    /** Opens the weights in {@code modelDir}, validating every header (and the index) up front. */
    public static Checkpoint open(Path modelDir) throws IOException {
        Path single = modelDir.resolve(SafetensorsWriter.SINGLE_FILE);
        Path index = modelDir.resolve(SafetensorsWriter.INDEX_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> owners = new LinkedHashMap<>();
            for (String name : file.names()) {
                owners.put(name, file);
            }
            return new Checkpoint(modelDir, new LinkedHashMap<>(file.metadata()), owners, List.of(file));
        }
        if (Files.isRegularFile(index)) {
            return openSharded(modelDir, index);
        }
        throw new IOException("no weights found: expected " + SafetensorsWriter.SINGLE_FILE + " or "
                + SafetensorsWriter.INDEX_FILE + " in " + modelDir);
    }

    private static Checkpoint openSharded(Path dir, Path index) throws IOException {
        // 1. Parse the index: {"metadata": {...}, "weight_map": {"tensor": "shard file"}}.
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new IOException(index + ": expected a JSON object, found " + parsed);
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonElement meta = root.get("metadata");
        if (meta != null && !meta.isJsonNull()) {
            if (!meta.isJsonObject()) {
                throw new IOException(index + ": expected \"metadata\" to be an object, found " + meta);
            }
            for (Map.Entry<String, JsonElement> e : meta.getAsJsonObject().entrySet()) {
                JsonElement v = e.getValue();
                metadata.put(e.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
            }
        }
        JsonElement weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw new IOException(index + ": expected \"weight_map\" to be an object of tensor name to shard file, found "
                    + weightMap);
        }

        // 2. Open each shard once; every tensor the index lists must be in its shard.
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owners = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.getAsJsonObject().entrySet()) {
                String tensor = e.getKey();
                JsonElement v = e.getValue();
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                    throw new IOException(index + ": weight_map entry for \"" + tensor
                            + "\" must be a shard file name, found " + v);
                }
                String shardName = v.getAsString();
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path shardPath = dir.resolve(shardName).normalize();
                    if (!shardPath.startsWith(dir.normalize()) || shardPath.equals(dir.normalize())) {
                        throw new IOException(index + ": shard \"" + shardName + "\" for tensor \"" + tensor
                                + "\" is not a file inside " + dir);
                    }
                    if (!Files.isRegularFile(shardPath)) {
                        throw new IOException(index + " names shard \"" + shardName + "\" for tensor \"" + tensor
                                + "\", but " + shardPath + " does not exist");
                    }
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.contains(tensor)) {
                    throw new IOException(index + " places tensor \"" + tensor + "\" in shard \"" + shardName
                            + "\", but " + shard.file() + " has no such tensor");
                }
                owners.put(tensor, shard);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile shard : shards.values()) {
                try {
                    shard.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new Checkpoint(dir, metadata, owners, new ArrayList<>(shards.values()));
    }

    /** The model directory. */
    public Path dir() {
        return dir;
    }

    /** A single file's {@code __metadata__}, or the index's {@code metadata} (values as strings). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order (single file) or index order (shards). */
    public List<String> names() {
        return List.copyOf(owners.keySet());
    }

    public boolean contains(String name) {
        return owners.containsKey(name);
    }

    public TensorInfo info(String name) throws IOException {
        return owner(name).info(name);
    }

    /** Reads a floating-point tensor as float32, from whichever shard holds it. */
    public float[] readFloats(String name) throws IOException {
        return owner(name).readFloats(name);
    }

    public void readFloats(String name, FloatBuffer dst) throws IOException {
        owner(name).readFloats(name, dst);
    }

    /** Reads an integer tensor as longs. */
    public long[] readLongs(String name) throws IOException {
        return owner(name).readLongs(name);
    }

    private SafetensorsFile owner(String name) throws IOException {
        SafetensorsFile file = owners.get(name);
        if (file == null) {
            throw new IOException("no tensor \"" + name + "\" in checkpoint " + dir + " (it holds " + owners.size()
                    + " tensors)");
        }
        return file;
    }

    /** Closes every open file; the first failure is thrown, later ones suppressed. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
