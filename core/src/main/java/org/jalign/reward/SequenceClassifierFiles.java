package org.jalign.reward;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jalign.data.AtomicFiles;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TensorSource;
import org.jalign.lm.WeightLayout;
import org.jalign.lm.safetensors.Checkpoint;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face sequence classifiers on disk ({@code LlamaForSequenceClassification},
 * {@code Qwen2ForSequenceClassification}, {@code GPT2ForSequenceClassification}): the LM body
 * under its usual names ({@code model.*}, or {@code transformer.*} for GPT-2) plus
 * {@code score.weight} [num_labels, C] with no bias, no {@code lm_head}. Labels come from
 * {@code id2label} (else {@code num_labels}, else Hugging Face's default of 2).
 *
 * <p>Loading builds the body as a {@link LanguageModel} with the LM head tied to the embedding
 * (the classifier has none; it is never used) and returns the score matrix beside it. Writing is
 * the inverse, staged in a temporary sibling and renamed into place.
 */
final class SequenceClassifierFiles {

    /** The file beside the weights with jalign's reward settings (gain, bias, max length, base model). */
    static final String REWARD_CONFIG = "reward_config.json";

    /** Tokenizer and template files copied next to the weights. */
    private static final List<String> COMPANION_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja");

    /**
     * A loaded classifier.
     *
     * @param score  row-major [labels, C]
     * @param labels the label names, index i = class i
     */
    record Loaded(LanguageModel body, float[] score, List<String> labels) {
    }

    private SequenceClassifierFiles() {
    }

    /** True when {@code dir/config.json} names a {@code *ForSequenceClassification} class. */
    static boolean isSequenceClassifier(Path dir) throws IOException {
        JsonObject config = readConfig(dir.resolve("config.json"));
        String name = architectureName(config);
        return name != null && name.endsWith("ForSequenceClassification");
    }

    static Loaded load(Path dir) throws IOException {
        // 1. config.json: a supported sequence classifier, and its labels
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("no config.json in model directory " + dir);
        }
        JsonObject json = readConfig(configFile);
        String name = architectureName(json);
        Architecture architecture = name == null ? null : Architecture.ofClassName(name);
        if (architecture == null || !name.equals(architecture.sequenceClassifierClassName())) {
            throw new IOException(configFile + ": architectures[0] is " + (name == null ? "missing" : "\"" + name + "\"")
                    + "; expected a sequence classifier: LlamaForSequenceClassification, "
                    + "Qwen2ForSequenceClassification or GPT2ForSequenceClassification");
        }
        ModelConfig config = ModelConfig.loadFile(configFile);
        List<String> labels = labels(json, configFile);
        // 2. the weights: score.weight [labels, C]; the body has no lm_head, so load it tied
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            long[] expected = {labels.size(), config.hiddenSize()};
            if (!checkpoint.contains("score.weight")) {
                throw new IOException(dir + ": missing tensor \"score.weight\" (expected shape " + Arrays.toString(expected)
                        + "), the classifier's head");
            }
            long[] shape = checkpoint.info("score.weight").shape();
            if (!Arrays.equals(shape, expected)) {
                throw new IOException(dir + ": tensor \"score.weight\" has shape " + Arrays.toString(shape)
                        + " but config.json implies " + Arrays.toString(expected) + " (" + labels.size() + " labels, hidden "
                        + config.hiddenSize() + ")");
            }
            float[] score = checkpoint.readFloats("score.weight");
            ModelConfig body = config.tieWordEmbeddings() || checkpoint.contains("lm_head.weight")
                    ? config : config.withTiedWordEmbeddings(true);
            return new Loaded(LanguageModel.create(body, TensorSource.of(checkpoint), dir), score, labels);
        }
    }

    private static List<String> labels(JsonObject json, Path file) throws IOException {
        JsonElement id2label = json.get("id2label");
        if (id2label != null && !id2label.isJsonNull()) {
            if (!id2label.isJsonObject() || id2label.getAsJsonObject().isEmpty()) {
                throw new IOException(file + ": field id2label must be an object {\"0\": \"name\", ...}, got " + id2label);
            }
            Map<Integer, String> byIndex = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : id2label.getAsJsonObject().entrySet()) {
                try {
                    byIndex.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
                } catch (RuntimeException bad) {
                    throw new IOException(file + ": field id2label has entry \"" + e.getKey() + "\": " + e.getValue()
                            + "; expected integer keys and string names");
                }
            }
            List<String> names = new ArrayList<>(byIndex.values());
            if (!byIndex.keySet().equals(new java.util.TreeSet<>(java.util.stream.IntStream.range(0, names.size())
                    .boxed().toList()))) {
                throw new IOException(file + ": field id2label keys must be 0.." + (names.size() - 1) + ", got "
                        + byIndex.keySet());
            }
            return names;
        }
        int count = 2;   // PretrainedConfig's default when neither id2label nor num_labels is given
        JsonElement n = json.get("num_labels");
        if (n != null && !n.isJsonNull()) {
            if (!n.isJsonPrimitive() || !n.getAsJsonPrimitive().isNumber() || n.getAsDouble() < 1
                    || n.getAsDouble() != Math.rint(n.getAsDouble())) {
                throw new IOException(file + ": field num_labels must be an integer >= 1, got " + n);
            }
            count = n.getAsInt();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("LABEL_" + i);
        }
        return names;
    }

    /**
     * Writes {@code body} (adapters merged first) and {@code score} [labels, C] as a Hugging Face
     * sequence classifier into {@code dir}, with the tokenizer files of {@code companionDir} and
     * {@code extraFiles} (name → text, e.g. reward_config.json). {@code dir} ends up holding either
     * its old contents or the complete new model.
     */
    static void write(Path dir, LanguageModel body, float[] score, List<String> labels, Path companionDir,
                      Map<String, String> extraFiles) throws IOException {
        ModelConfig config = body.config();
        if (body.decoder().adapters() != null) {
            throw new IllegalStateException("merge the LoRA adapters before writing a sequence classifier");
        }
        if (score.length != labels.size() * config.hiddenSize()) {
            throw new IllegalArgumentException("score has " + score.length + " values, expected labels × hidden = "
                    + labels.size() + " × " + config.hiddenSize());
        }
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            // 1. config.json: the body's config, the classifier's class and labels, a pad id (HF needs one
            // to find the last token of a batch)
            JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
            JsonArray architectures = new JsonArray();
            architectures.add(config.architecture().sequenceClassifierClassName());
            json.add("architectures", architectures);
            JsonObject id2label = new JsonObject();
            JsonObject label2id = new JsonObject();
            for (int i = 0; i < labels.size(); i++) {
                id2label.addProperty(Integer.toString(i), labels.get(i));
                label2id.addProperty(labels.get(i), i);
            }
            json.add("id2label", id2label);
            json.add("label2id", label2id);
            json.addProperty("num_labels", labels.size());
            if (!json.has("pad_token_id")) {
                json.addProperty("pad_token_id", body.specialTokens().padId());
            }
            Files.writeString(staging.resolve("config.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n", StandardCharsets.UTF_8);
            // 2. model.safetensors: the body under HF's names (GPT-2's with the transformer. prefix that
            // GPT2ForSequenceClassification saves), no lm_head, and score.weight
            String prefix = config.architecture() == Architecture.GPT2 ? "transformer." : "";
            Map<String, float[]> weights = body.decoder().exportWeights();
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, long[]> e : WeightLayout.shapes(config).entrySet()) {
                if (e.getKey().equals("lm_head.weight")) {
                    continue;
                }
                entries.add(new SafetensorsWriter.Entry(prefix + e.getKey(), DType.F32, e.getValue(), weights.get(e.getKey())));
            }
            entries.add(new SafetensorsWriter.Entry("score.weight", DType.F32,
                    new long[] {labels.size(), config.hiddenSize()}, score));
            SafetensorsWriter.write(staging.resolve("model.safetensors"), entries, Map.of("format", "pt"));
            // 3. tokenizer files and extras
            if (companionDir != null) {
                for (String name : COMPANION_FILES) {
                    Path from = companionDir.resolve(name);
                    if (Files.isRegularFile(from)) {
                        Files.copy(from, staging.resolve(name));
                    }
                }
            }
            for (Map.Entry<String, String> e : extraFiles.entrySet()) {
                Files.writeString(staging.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
            // 4. into place
            Path old = null;
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                AtomicFiles.deleteRecursively(old);
            }
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(staging);
            throw e;
        }
    }

    static JsonObject readConfig(Path file) throws IOException {
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IOException(file + ": expected a JSON object at the top level");
            }
            return root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String architectureName(JsonObject config) {
        JsonElement a = config.get("architectures");
        if (a == null || !a.isJsonArray() || a.getAsJsonArray().isEmpty()
                || !a.getAsJsonArray().get(0).isJsonPrimitive()) {
            return null;
        }
        return a.getAsJsonArray().get(0).getAsString();
    }
}
