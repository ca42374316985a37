package org.jalign.reward;

import org.jalign.lm.train.SequenceBatch;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.jalign.lm.LanguageModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Hugging Face sequence classifier used as a reward: a toxicity or sentiment classifier, or a
 * reward model published as {@code *ForSequenceClassification} (ours included: {@code reward
 * train}'s final/ loads here). The logits are {@code score.weight}·h at the last real token, as
 * {@code transformers} pools them (it takes the last token that is not the pad id; jalign reads the
 * mask, the same token unless a sequence contains the pad id itself).
 *
 * <p>Which number is the reward, for a chosen class k of logits z (see {@link Mode}):
 * <ul>
 *   <li>{@link Mode#LOGIT}, the default: z_k, what TRL's sentiment and detoxification examples
 *       feed PPO. With one label it is the only choice.</li>
 *   <li>{@link Mode#LOG_ODDS}: z_k − log Σ_{j≠k} e^(z_j), the log-odds log p_k / (1 − p_k); for two
 *       classes z_k − z_other. Unlike z_k alone it does not move when every logit shifts together
 *       (softmax cannot see such a shift), so it is the safer choice for multi-class models.</li>
 *   <li>{@link Mode#LOG_PROBABILITY}: log p_k = z_k − log Σ_j e^(z_j), at most 0; saturates for
 *       confident classifiers, which blunts the signal PPO gets.</li>
 * </ul>
 */
public final class ClassifierReward implements RewardFunction, AutoCloseable {

    /** How the chosen class's logit becomes a reward (see the class comment). */
    public enum Mode { LOGIT, LOG_ODDS, LOG_PROBABILITY }

    private final LanguageModel body;
    private final NDArray scoreTransposed;   // (C, L): made once, so no call leaves a transpose on its manager
    private final NDManager scoreManager;
    private final List<String> labels;
    private final int label;
    private final Mode mode;
    private int batchSize = 8;

    private ClassifierReward(LanguageModel body, float[] score, List<String> labels, int label, Mode mode) {
        this.body = body;
        this.labels = List.copyOf(labels);
        this.label = label;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.scoreManager = body.decoder().manager().newSubManager();
        this.scoreTransposed = scoreManager.create(score, new Shape(labels.size(), body.config().hiddenSize())).transpose();
    }

    /**
     * Loads the classifier in {@code dir}.
     *
     * @param label a class by its {@code id2label} name or its index; null = class 0 (the only
     *              one of a reward model)
     */
    public static ClassifierReward load(Path dir, String label, Mode mode) throws IOException {
        SequenceClassifierFiles.Loaded loaded = SequenceClassifierFiles.load(dir);
        try {
            int index = resolveLabel(loaded.labels(), label, dir);
            if (loaded.labels().size() == 1 && mode != Mode.LOGIT) {
                throw new IllegalArgumentException(dir + " has a single label, whose logit is the reward; "
                        + mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " needs two or more classes");
            }
            return new ClassifierReward(loaded.body(), loaded.score(), loaded.labels(), index, mode);
        } catch (RuntimeException e) {
            loaded.body().close();
            throw e;
        }
    }

    /** The class index a {@code --label} names: an id2label name first, else a number. */
    static int resolveLabel(List<String> labels, String label, Path dir) {
        if (label == null) {
            return 0;
        }
        int byName = labels.indexOf(label);
        if (byName >= 0) {
            return byName;
        }
        try {
            int index = Integer.parseInt(label.trim());
            if (index >= 0 && index < labels.size()) {
                return index;
            }
        } catch (NumberFormatException notANumber) {
            // fall through to the error
        }
        throw new IllegalArgumentException("--label \"" + label + "\" is neither a label of " + dir + " nor an index "
                + "0.." + (labels.size() - 1) + "; its labels are " + labels);
    }

    public List<String> labels() {
        return labels;
    }

    /** The class whose score is the reward. */
    public int label() {
        return label;
    }

    public Mode mode() {
        return mode;
    }

    public LanguageModel languageModel() {
        return body;
    }

    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    @Override
    public float[] score(List<int[]> prompts, List<int[]> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + completions.size() + " completions");
        }
        List<int[]> sequences = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            sequences.add(RewardEncoder.concatenate(prompts.get(i), completions.get(i), 0));
        }
        return rewards(sequences);
    }

    /** The reward of each whole sequence (the chosen class, by {@link #mode()}). */
    public float[] rewards(List<int[]> sequences) {
        float[][] logits = logits(sequences);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) reward(logits[i], label, mode);
        }
        return out;
    }

    /** The reward of class {@code k} from one row of logits (the three modes, in float64). */
    static double reward(float[] logits, int k, Mode mode) {
        return switch (mode) {
            case LOGIT -> logits[k];
            case LOG_ODDS -> logits[k] - logSumExp(logits, k);
            case LOG_PROBABILITY -> logits[k] - logSumExp(logits, -1);
        };
    }

    /** log Σ_j e^(z_j) over every j except {@code skip} (-1: none), shifted by the max. */
    private static double logSumExp(float[] z, int skip) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < z.length; j++) {
            if (j != skip) {
                max = Math.max(max, z[j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            if (j != skip) {
                sum += Math.exp(z[j] - max);
            }
        }
        return max + Math.log(sum);
    }

    /** Logits [N][labels] of whole sequences, in left-padded batches. */
    public float[][] logits(List<int[]> sequences) {
        float[][] out = new float[sequences.size()][];
        int n = labels.size();
        for (int from = 0; from < sequences.size(); from += batchSize) {
            List<int[]> chunk = sequences.subList(from, Math.min(sequences.size(), from + batchSize));
            try (NDManager scope = body.decoder().manager().newSubManager()) {
                SequenceBatch batch = SequenceBatch.of(chunk, body.specialTokens().padId(), SequenceBatch.Side.LEFT, body.config());
                NDArray last = SequenceBatch.lastTokenStates(batch.hiddenStates(body.decoder(), scope), batch.mask(scope));
                float[] values = last.matMul(scoreTransposed).toFloatArray();          // (B, L)
                for (int r = 0; r < chunk.size(); r++) {
                    out[from + r] = java.util.Arrays.copyOfRange(values, r * n, (r + 1) * n);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        scoreManager.close();
        body.close();
    }
}
