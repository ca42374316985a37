package org.jalign.reward;

import org.jalign.lm.train.SequenceBatch;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.Parameter;
import org.jalign.lm.ScalarHead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A language model with a reward head: r(prompt, completion) = w·h, h the final hidden state at
 * the last real token of prompt + completion (read from the mask, so padding on either side gives
 * the same reward as the row alone), then the stored normalisation gain·r + bias.
 *
 * <p>The head has no bias, like Hugging Face's {@code score} layer (a constant offset cancels in
 * every pairwise comparison, and the normalisation's bias sets the level), so the raw reward is
 * exactly the logit {@code transformers} computes from the saved model. Initialised N(0, 1/√(C+1))
 * (Huang et al. 2022, "The N implementation details of RLHF with PPO"); dropout is off.
 *
 * <p>Directories it loads:
 * <ul>
 *   <li>a Hugging Face sequence classifier with one label (what {@code reward train} writes to
 *       final/, or any {@code *ForSequenceClassification} reward model), read through the same
 *       path as {@link ClassifierReward}, plus {@value SequenceClassifierFiles#REWARD_CONFIG} when
 *       present (gain, bias, maximum length);</li>
 *   <li>a LoRA run's final/: {@code adapter_config.json} + {@code adapter_model.safetensors} +
 *       {@code score.safetensors} + reward_config.json, whose {@code base_model} is loaded first.</li>
 * </ul>
 * Memory: every call scopes its arrays in a sub-manager of the model's; nothing accumulates.
 */
public final class RewardModel implements RewardFunction, AutoCloseable {

    /** The head's tensor name, Hugging Face's. */
    static final String HEAD = "score";

    private final LanguageModel model;
    private final ScalarHead head;
    private final Path tokenizerDir;
    private RewardNormalisation normalisation;
    private int maxLength;
    private int batchSize = 8;

    private RewardModel(LanguageModel model, ScalarHead head, Path tokenizerDir, RewardNormalisation normalisation,
                        int maxLength) {
        this.model = model;
        this.head = head;
        this.tokenizerDir = tokenizerDir;
        this.normalisation = Objects.requireNonNull(normalisation, "normalisation");
        this.maxLength = maxLength;
    }

    /**
     * A fresh head N(0, 1/√(C+1)) with bias 0 on {@code model}, which the reward model now owns.
     *
     * @param tokenizerDir where the model's tokenizer and chat template are (for text), or null
     */
    public static RewardModel create(LanguageModel model, long seed, Path tokenizerDir) {
        ScalarHead head = ScalarHead.reward(model.config().hiddenSize(), seed, model.decoder().manager());
        return new RewardModel(model, head, tokenizerDir, RewardNormalisation.identity(), 0);
    }

    /** Loads a reward model directory (see the class comment). */
    public static RewardModel load(Path dir) throws IOException {
        RewardConfig settings = RewardConfig.read(dir.resolve(SequenceClassifierFiles.REWARD_CONFIG));
        if (Files.isRegularFile(dir.resolve("adapter_config.json"))) {
            return loadAdapter(dir, settings);
        }
        SequenceClassifierFiles.Loaded loaded = SequenceClassifierFiles.load(dir);
        try {
            if (loaded.labels().size() != 1) {
                throw new IOException(dir + " is a classifier with " + loaded.labels().size() + " labels " + loaded.labels()
                        + "; a reward model has one. Score with a ClassifierReward (reward score --label NAME)");
            }
            LanguageModel body = loaded.body();
            ScalarHead head = ScalarHead.reward(body.config().hiddenSize(), 0, body.decoder().manager());
            head.parameters(HEAD).get(0).array().set(loaded.score());
            return new RewardModel(body, head, dir, settings.normalisation(), settings.maxLength());
        } catch (IOException | RuntimeException e) {
            loaded.body().close();
            throw e;
        }
    }

    private static RewardModel loadAdapter(Path dir, RewardConfig settings) throws IOException {
        if (settings.baseModel() == null) {
            throw new IOException(dir + " holds a LoRA adapter but its " + SequenceClassifierFiles.REWARD_CONFIG
                    + " names no base_model to load it onto");
        }
        Path base = Path.of(settings.baseModel());
        LanguageModel model = LanguageModel.load(base);
        try {
            model.loadAdapters(dir);
            ScalarHead head = ScalarHead.load(dir.resolve("score.safetensors"), HEAD, model.config().hiddenSize(),
                    model.decoder().manager());
            return new RewardModel(model, head, base, settings.normalisation(), settings.maxLength());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public LanguageModel languageModel() {
        return model;
    }

    /** The head's weight (C): trained with the body. Its bias stays 0 (see the class comment). */
    public Parameter headWeight() {
        return head.parameters(HEAD).get(0);
    }

    ScalarHead head() {
        return head;
    }

    /** Where the tokenizer and chat template of this model are, or null. */
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    public RewardNormalisation normalisation() {
        return normalisation;
    }

    public void setNormalisation(RewardNormalisation normalisation) {
        this.normalisation = Objects.requireNonNull(normalisation, "normalisation");
    }

    /** Tokens kept per sequence by {@link #score} (from the end; 0 = no limit). */
    public int maxLength() {
        return maxLength;
    }

    public void setMaxLength(int maxLength) {
        if (maxLength < 0 || maxLength == 1) {
            throw new IllegalArgumentException("max length must be 0 (no limit) or >= 2, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** Rows per forward pass in {@link #score} and {@link #rawRewards(List)}. */
    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * Normalised rewards of prompt ++ completion, cut to {@link #maxLength()} from the left
     * (the completion's end, where the reward is read, is kept).
     */
    @Override
    public float[] score(List<int[]> prompts, List<int[]> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + completions.size() + " completions");
        }
        List<int[]> sequences = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            sequences.add(RewardEncoder.concatenate(prompts.get(i), completions.get(i), maxLength));
        }
        return rewards(sequences);
    }

    /** Normalised rewards of whole sequences (already cut to length). */
    public float[] rewards(List<int[]> sequences) {
        float[] raw = rawRewards(sequences);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) normalisation.apply(raw[i]);
        }
        return raw;
    }

    /** w·h at the last token of each whole sequence, before normalisation, in left-padded batches. */
    public float[] rawRewards(List<int[]> sequences) {
        float[] out = new float[sequences.size()];
        for (int from = 0; from < sequences.size(); from += batchSize) {
            List<int[]> chunk = sequences.subList(from, Math.min(sequences.size(), from + batchSize));
            try (NDManager scope = model.decoder().manager().newSubManager()) {
                SequenceBatch batch = SequenceBatch.of(chunk, model.specialTokens().padId(), SequenceBatch.Side.LEFT,
                        model.config());
                System.arraycopy(rawRewards(batch, scope).toFloatArray(), 0, out, from, chunk.size());
            }
        }
        return out;
    }

    /** Raw rewards (B) of a padded batch on {@code scope}; differentiable for training. */
    NDArray rawRewards(SequenceBatch batch, NDManager scope) {
        NDArray hidden = batch.hiddenStates(model.decoder(), scope);      // (B, T, C)
        return head.atLastToken(hidden, batch.mask(scope));               // (B)
    }

    /** The head's weight as a [1, C] score matrix, Hugging Face's layout. */
    float[] scoreMatrix() {
        return headWeight().array().toFloatArray();
    }

    @Override
    public void close() {
        head.close();
        model.close();
    }

    /**
     * The contents of {@value SequenceClassifierFiles#REWARD_CONFIG}.
     *
     * @param maxLength tokens the model was trained on at most (0 = no limit)
     * @param baseModel the model the reward model was trained from (a LoRA adapter's base), or null
     */
    record RewardConfig(RewardNormalisation normalisation, int maxLength, String baseModel, JsonObject extra) {

        static RewardConfig read(Path file) throws IOException {
            if (!Files.isRegularFile(file)) {
                return new RewardConfig(RewardNormalisation.identity(), 0, null, new JsonObject());
            }
            JsonObject o = SequenceClassifierFiles.readConfig(file);
            try {
                double gain = number(o, "gain", 1);
                double bias = number(o, "bias", 0);
                int maxLength = (int) number(o, "max_length", 0);
                JsonElement base = o.get("base_model");
                return new RewardConfig(new RewardNormalisation(gain, bias), maxLength,
                        base == null || base.isJsonNull() ? null : base.getAsString(), o);
            } catch (RuntimeException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }

        private static double number(JsonObject o, String field, double fallback) {
            JsonElement e = o.get(field);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException("field " + field + " must be a number, got " + e);
            }
            return e.getAsDouble();
        }

        String toJson() {
            JsonObject o = extra.deepCopy();
            o.addProperty("gain", normalisation.gain());
            o.addProperty("bias", normalisation.bias());
            o.addProperty("max_length", maxLength);
            if (baseModel != null) {
                o.addProperty("base_model", baseModel);
            }
            return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
        }
    }
}
