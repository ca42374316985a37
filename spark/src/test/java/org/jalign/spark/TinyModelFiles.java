package org.jalign.spark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.ModelConfig;
import org.jalign.lm.TinyCheckpoints;
import org.jalign.lm.TinyTokenizer;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny model directories written with core's test helpers and public writers. */
final class TinyModelFiles {
    private TinyModelFiles() {
    }

    private static ModelConfig llama() {
        return TinyTokenizer.llamaConfig(TinyTokenizer.BOS, List.of(TinyTokenizer.EOS), TinyTokenizer.PAD);
    }

    /** A tiny Llama causal LM with TinyTokenizer (BOS, EOS, pad). */
    static Path languageModel(Path dir, long seed) throws IOException {
        Path model = TinyCheckpoints.write(dir, llama(), seed);
        withTokenizer(model);
        return model;
    }

    /** A tiny GPT-2 (decoded by the DJL engine, where the Llama uses the Java one), ids only. */
    static Path gpt2(Path dir, long seed) throws IOException {
        return TinyCheckpoints.write(dir, TinyCheckpoints.tinyGpt2(), seed);
    }

    /**
     * A LlamaForSequenceClassification directory with {@code labels} classes, as Hugging Face
     * writes one (body without lm_head, {@code score.weight} [labels, hidden]), with TinyTokenizer.
     *
     * @param rewardConfig reward_config.json's text (a {@code reward train} output), or null for a plain classifier
     */
    static Path classifier(Path dir, long seed, List<String> labels, String rewardConfig) throws IOException {
        ModelConfig config = llama();
        Files.createDirectories(dir);
        JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("LlamaForSequenceClassification");
        json.add("architectures", architectures);
        JsonObject id2label = new JsonObject();
        for (int i = 0; i < labels.size(); i++) {
            id2label.addProperty(Integer.toString(i), labels.get(i));
        }
        json.add("id2label", id2label);
        json.addProperty("num_labels", labels.size());
        Files.writeString(dir.resolve("config.json"), json.toString(), StandardCharsets.UTF_8);
        Map<String, long[]> shapes = TinyCheckpoints.shapes(config);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, float[]> w : TinyCheckpoints.randomWeights(config, seed).entrySet()) {
            if (!w.getKey().equals("lm_head.weight")) {
                entries.add(new SafetensorsWriter.Entry(w.getKey(), shapes.get(w.getKey()), w.getValue()));
            }
        }
        SplittableRandom random = new SplittableRandom(seed + 1);
        float[] score = new float[labels.size() * config.hiddenSize()];
        for (int i = 0; i < score.length; i++) {
            score[i] = (float) (random.nextDouble(-1, 1) / Math.sqrt(config.hiddenSize()));
        }
        entries.add(new SafetensorsWriter.Entry("score.weight", new long[] {labels.size(), config.hiddenSize()}, score));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
        if (rewardConfig != null) {
            Files.writeString(dir.resolve("reward_config.json"), rewardConfig, StandardCharsets.UTF_8);
        }
        withTokenizer(dir);
        return dir;
    }

    private static void withTokenizer(Path model) throws IOException {
        TinyTokenizer.write(model);
        Files.writeString(model.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<bos>\", \"eos_token\": \"<eos>\", \"pad_token\": \"<pad>\"}");
    }
}
