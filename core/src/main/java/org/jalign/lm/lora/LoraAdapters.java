package org.jalign.lm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jalign.lm.Parameter;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsFile;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The adapters of one model: for each targeted projection (by its Hugging Face module path) a
 * pair A (r, in), B (out, r), applied as Δy = (α/r)·B·A·x.
 *
 * <p>Initialised as PEFT does: A ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5), B = 0, so a
 * fresh adapter changes nothing. Saved as PEFT's {@code adapter_config.json} +
 * {@code adapter_model.safetensors} with keys {@code base_model.model.<module>.lora_A.weight}.
 */
public final class LoraAdapters implements AutoCloseable {
    /** PEFT's prefix before a module path in adapter_model.safetensors. */
    static final String KEY_PREFIX = "base_model.model.";

    private record Adapter(NDArray a, NDArray b) {
    }

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, Adapter> adapters;
    private final boolean fanInFanOut;
    private final NDArray scale;
    private boolean enabled = true;
    private boolean training;

    private LoraAdapters(LoraConfig config, NDManager manager, Map<String, Adapter> adapters, boolean fanInFanOut) {
        this.config = config;
        this.manager = manager;
        this.adapters = adapters;
        this.fanInFanOut = fanInFanOut;
        this.scale = manager.create((float) config.scale());
    }

    /**
     * Fresh adapters for every projection {@code config} targets.
     *
     * @param projections module path → {in, out} features, from the model
     * @param fanInFanOut true when the base stores weights [in, out] (GPT-2's Conv1D), written to
     *                    adapter_config.json as PEFT expects
     */
    public static LoraAdapters create(LoraConfig config, Map<String, long[]> projections, boolean fanInFanOut,
                                      NDManager parent, long seed) {
        Map<String, Adapter> adapters = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        NDManager manager = parent.newSubManager();
        for (Map.Entry<String, long[]> p : projections.entrySet()) {
            if (!config.targets(p.getKey())) {
                continue;
            }
            long in = p.getValue()[0];
            long out = p.getValue()[1];
            float[] a = new float[Math.toIntExact(config.rank() * in)];
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            adapters.put(p.getKey(), new Adapter(manager.create(a, new Shape(config.rank(), in)),
                    manager.zeros(new Shape(out, config.rank()), DataType.FLOAT32)));
        }
        if (adapters.isEmpty()) {
            manager.close();
            throw new IllegalArgumentException("lora.targets " + config.targetModules() + " match no projection of "
                    + "this model; its projections end in " + lastNames(projections.keySet()));
        }
        return new LoraAdapters(config, manager, adapters, fanInFanOut);
    }

    private static List<String> lastNames(Iterable<String> modules) {
        List<String> names = new ArrayList<>();
        for (String m : modules) {
            String last = m.substring(m.lastIndexOf('.') + 1);
            if (!names.contains(last)) {
                names.add(last);
            }
        }
        return names;
    }

    public LoraConfig config() {
        return config;
    }

    /** The targeted module paths. */
    public List<String> modules() {
        return List.copyOf(adapters.keySet());
    }

    /** A and B of every adapter: the only trainable arrays of a LoRA run. */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        adapters.forEach((module, ad) -> {
            p.add(new Parameter(KEY_PREFIX + module + ".lora_A.weight", ad.a));
            p.add(new Parameter(KEY_PREFIX + module + ".lora_B.weight", ad.b));
        });
        return p;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Switches the adapters off until the returned handle is closed: the model then computes the
     * base (PPO's frozen reference) with no second copy of the weights.
     */
    public AutoCloseable disabled() {
        boolean before = enabled;
        enabled = false;
        return () -> enabled = before;
    }

    /** True while training (dropout on the adapters' input is on). */
    public boolean training() {
        return training;
    }

    /**
     * {A (r, in), B (out, r)} of {@code module}'s adapter while adapters are enabled, else null:
     * for a decode path that applies Δy = (α/r)·B·(A·x) with its own kernels.
     */
    public NDArray[] activePair(String module) {
        Adapter ad = active(module);
        return ad == null ? null : new NDArray[] {ad.a, ad.b};
    }

    /** Dropout on the adapters' input applies only while training. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /**
     * The adapter's contribution for a feature-major input (in, N) → (out, N), or null when the
     * module has no adapter or adapters are off.
     */
    public NDArray deltaColumns(String module, NDArray x) {
        Adapter ad = active(module);
        if (ad == null) {
            return null;
        }
        NDArray low = ad.a.matMul(dropout(x));          // (r, N)
        low.attach(x.getManager());
        NDArray delta = ad.b.matMul(low.mul(scale));    // (out, N)
        delta.attach(x.getManager());
        return delta;
    }

    /**
     * The adapter's contribution for a token-major input (…, in) → (…, out), or null when the
     * module has no adapter or adapters are off.
     */
    public NDArray deltaRows(String module, NDArray x) {
        Adapter ad = active(module);
        if (ad == null) {
            return null;
        }
        return dropout(x).matMul(ad.a.transpose()).mul(scale).matMul(ad.b.transpose());
    }

    private Adapter active(String module) {
        return enabled ? adapters.get(module) : null;
    }

    private NDArray dropout(NDArray x) {
        if (!training || config.dropout() == 0) {
            return x;
        }
        float keep = (float) (1 - config.dropout());
        NDArray mask = x.getManager().randomUniform(0f, 1f, x.getShape()).lt(keep).toType(DataType.FLOAT32, false);
        return x.mul(mask).div(x.getManager().create(keep));
    }

    /** (α/r)·B·A for {@code module}: the change to a [out, in] weight; null when not targeted. */
    public NDArray mergedDelta(String module) {
        Adapter ad = adapters.get(module);
        return ad == null ? null : ad.b.matMul(ad.a).mul(scale);
    }

    /**
     * Writes adapter_config.json and adapter_model.safetensors into {@code dir} (each atomically),
     * in the format Hugging Face PEFT loads.
     */
    public void save(Path dir, String baseModel) throws IOException {
        Files.createDirectories(dir);
        JsonObject c = new JsonObject();
        c.addProperty("peft_type", "LORA");
        c.addProperty("task_type", "CAUSAL_LM");
        c.addProperty("r", config.rank());
        c.addProperty("lora_alpha", config.alpha());
        c.addProperty("lora_dropout", config.dropout());
        JsonArray targets = new JsonArray();
        config.targetModules().forEach(targets::add);
        c.add("target_modules", targets);
        c.addProperty("bias", "none");
        c.addProperty("fan_in_fan_out", fanInFanOut);
        c.addProperty("inference_mode", true);
        c.addProperty("base_model_name_or_path", baseModel == null ? "" : baseModel);
        Path tmp = dir.resolve("adapter_config.json.tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(c) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("adapter_config.json"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Parameter p : parameters()) {
            entries.add(new SafetensorsWriter.Entry(p.name(), DType.F32, p.array().getShape().getShape(),
                    p.array().toFloatArray()));
        }
        SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), entries, Map.of("format", "pt"));
    }

    /**
     * Reads a PEFT LoRA adapter for a model with these projections; every key and shape is
     * checked, and errors name the file and the key.
     */
    public static LoraAdapters load(Path dir, Map<String, long[]> projections, boolean fanInFanOut, NDManager parent)
            throws IOException {
        Path configFile = dir.resolve("adapter_config.json");
        LoraConfig config;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(configFile, StandardCharsets.UTF_8));
            JsonObject c = root.getAsJsonObject();
            String type = c.has("peft_type") ? c.get("peft_type").getAsString() : "LORA";
            if (!"LORA".equals(type)) {
                throw new IOException(configFile + ": peft_type is " + type + "; only LORA adapters are supported");
            }
            List<String> targets = new ArrayList<>();
            JsonElement t = c.get("target_modules");
            if (t == null || t.isJsonNull()) {
                throw new IOException(configFile + ": missing field target_modules");
            }
            if (t.isJsonArray()) {
                t.getAsJsonArray().forEach(e -> targets.add(e.getAsString()));
            } else {
                targets.add(t.getAsString());
            }
            config = new LoraConfig(c.get("r").getAsInt(), c.get("lora_alpha").getAsDouble(),
                    c.has("lora_dropout") ? c.get("lora_dropout").getAsDouble() : 0, targets);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no adapter_config.json in adapter directory " + dir, e);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | IllegalArgumentException e) {
            throw new IOException(configFile + ": not a valid PEFT LoRA config (" + e.getMessage() + ")", e);
        }
        Path weights = dir.resolve("adapter_model.safetensors");
        NDManager manager = parent.newSubManager();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            Map<String, Adapter> adapters = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> p : projections.entrySet()) {
                String module = p.getKey();
                String keyA = KEY_PREFIX + module + ".lora_A.weight";
                String keyB = KEY_PREFIX + module + ".lora_B.weight";
                if (!file.contains(keyA) && !file.contains(keyB)) {
                    continue;
                }
                long in = p.getValue()[0];
                long out = p.getValue()[1];
                NDArray a = read(file, weights, keyA, manager, config.rank(), in);
                NDArray b = read(file, weights, keyB, manager, out, config.rank());
                adapters.put(module, new Adapter(a, b));
            }
            for (String name : file.names()) {
                String module = name.startsWith(KEY_PREFIX) ? name.substring(KEY_PREFIX.length())
                        .replaceAll("\\.lora_[AB]\\.weight$", "") : name;
                if (!adapters.containsKey(module)) {
                    throw new IOException(weights + ": tensor \"" + name + "\" matches no projection of this model "
                            + "(expected keys like " + KEY_PREFIX + projections.keySet().iterator().next()
                            + ".lora_A.weight)");
                }
            }
            if (adapters.isEmpty()) {
                throw new IOException(weights + ": holds no LoRA tensors");
            }
            return new LoraAdapters(config, manager, adapters, fanInFanOut);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray read(SafetensorsFile file, Path path, String key, NDManager m, long rows, long cols)
            throws IOException {
        if (!file.contains(key)) {
            throw new IOException(path + ": missing tensor \"" + key + "\" (expected shape [" + rows + ", " + cols + "])");
        }
        long[] shape = file.info(key).shape();
        if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
            throw new IOException(path + ": tensor \"" + key + "\" has shape " + java.util.Arrays.toString(shape)
                    + ", expected [" + rows + ", " + cols + "]");
        }
        return m.create(file.readFloats(key), new Shape(rows, cols));
    }

    @Override
    public void close() {
        manager.close();
    }
}
