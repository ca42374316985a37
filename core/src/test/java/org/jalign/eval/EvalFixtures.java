package org.jalign.eval;

import org.jalign.lm.ModelConfig;
import org.jalign.lm.ReferenceTransformer;
import org.jalign.lm.TinyCheckpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny sequence classifiers written as transformers saves them, and their float64 reference probabilities. */
public final class EvalFixtures {
    private EvalFixtures() {
    }

    public static float[] gaussian(int n, double std, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }

    /** A Llama {@code *ForSequenceClassification}: the body of seed {@code seed}, {@code score.weight} [labels, C]. */
    public static Path writeClassifier(Path dir, ModelConfig config, long seed, float[] score, List<String> labels)
            throws IOException {
        return org.jalign.reward.TinyRewardModels.writeClassifier(dir, config, seed, score, labels);
    }

    /**
     * softmax of the classifier's logits for {@code tokens}, from the float64 {@link ReferenceTransformer}
     * with an untied LM head whose first rows are the score rows (its logits there are score · h):
     * nothing shared with the production classifier path.
     */
    public static double[] referenceProbabilities(ModelConfig config, long seed, float[] score, int labels, int[] tokens) {
        Map<String, float[]> weights = new LinkedHashMap<>(TinyCheckpoints.randomWeights(config, seed));
        float[] head = new float[config.vocabSize() * config.hiddenSize()];
        System.arraycopy(score, 0, head, 0, score.length);
        weights.put("lm_head.weight", head);
        double[] logits = ReferenceTransformer.logits(config.withTiedWordEmbeddings(false), weights, tokens)[tokens.length - 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < labels; k++) {
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        double[] p = new double[labels];
        for (int k = 0; k < labels; k++) {
            p[k] = Math.exp(logits[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < labels; k++) {
            p[k] /= sum;
        }
        return p;
    }
}
