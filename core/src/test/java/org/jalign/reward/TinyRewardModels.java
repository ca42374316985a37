package org.jalign.reward;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.ReferenceTransformer;
import org.jalign.lm.TensorSource;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny models, sequence-classifier checkpoints written as transformers saves them, and the float64 reference score. */
public final class TinyRewardModels {
    private TinyRewardModels() {
    }

    static ModelConfig config(Architecture architecture) {
        return switch (architecture) {
            case LLAMA -> TinyCheckpoints.tinyLlama();
            case QWEN2 -> TinyCheckpoints.tinyQwen2();
            case GPT2 -> TinyCheckpoints.tinyGpt2();
        };
    }

    static LanguageModel languageModel(ModelConfig config, long seed) throws IOException {
        return LanguageModel.of(config, TensorSource.of(TinyCheckpoints.randomWeights(config, seed), TinyCheckpoints.shapes(config)));
    }

    static int[] tokens(int length, long seed) {
        return new SplittableRandom(seed).ints(length, 3, 61).toArray();
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * 0.5);
        }
        return values;
    }

    /**
     * Writes {@code *ForSequenceClassification} as transformers saves it: the body's tensors (GPT-2's
     * under "transformer."), no lm_head, {@code score.weight} [labels, C], config.json with id2label.
     */
    public static Path writeClassifier(Path dir, ModelConfig config, long seed, float[] score, List<String> labels)
            throws IOException {
        Files.createDirectories(dir);
        JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add(config.architecture().sequenceClassifierClassName());
        json.add("architectures", architectures);
        JsonObject id2label = new JsonObject();
        for (int i = 0; i < labels.size(); i++) {
            id2label.addProperty(Integer.toString(i), labels.get(i));
        }
        json.add("id2label", id2label);
        json.addProperty("pad_token_id", 0);
        Files.writeString(dir.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json));
        String prefix = config.architecture() == Architecture.GPT2 ? "transformer." : "";
        Map<String, long[]> shapes = TinyCheckpoints.shapes(config);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, float[]> w : TinyCheckpoints.randomWeights(config, seed).entrySet()) {
            if (!w.getKey().equals("lm_head.weight")) {
                entries.add(new SafetensorsWriter.Entry(prefix + w.getKey(), DType.F32, shapes.get(w.getKey()), w.getValue()));
            }
        }
        entries.add(new SafetensorsWriter.Entry("score.weight", DType.F32,
                new long[] {labels.size(), config.hiddenSize()}, score));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
        return dir;
    }

    /**
     * The float64 reference: score · h at the last token, computed by {@link ReferenceTransformer}
     * with an untied LM head whose first rows are the score rows (its logits are then h · score
     * for those rows), sharing nothing with production code.
     */
    static double[] referenceScores(ModelConfig config, long seed, float[] score, int labels, int[] tokens) {
        Map<String, float[]> weights = new LinkedHashMap<>(TinyCheckpoints.randomWeights(config, seed));
        float[] head = new float[config.vocabSize() * config.hiddenSize()];
        System.arraycopy(score, 0, head, 0, score.length);
        weights.put("lm_head.weight", head);
        double[][] logits = ReferenceTransformer.logits(config.withTiedWordEmbeddings(false), weights, tokens);
        return java.util.Arrays.copyOf(logits[tokens.length - 1], labels);
    }
}
