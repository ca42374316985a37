package org.jalign.reward;

import org.jalign.lm.train.Optimizers;
import org.jalign.lm.train.SequenceBatch;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.Parameter;
import org.jalign.lm.lora.LoraAdapters;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.LearningRateSchedule;
import org.jalign.lm.train.TrainerState;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.TrainingRun;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimizer step of the reward model on micro-batches of {@link Comparison}s.
 *
 * <ol>
 *   <li>Forward every sequence of a micro-batch in one left-padded batch under a gradient
 *       collector; rewards at each row's last real token.</li>
 *   <li>Loss {@link RewardLoss#loss(NDArray, List, double[], double)}, each pair weighted
 *       1 / (comparisons in the whole step · pairs in its comparison), so k micro-batches
 *       accumulate exactly the gradient of one batch of all their comparisons.</li>
 *   <li>Clip the global gradient norm, AdamW at peak × schedule(step), zero the gradients.</li>
 * </ol>
 *
 * <p>Trains the head's weight and, with LoRA adapters attached, the adapters (base frozen), else
 * every body weight except an untied LM head, which the reward never reads.
 */
final class RewardTrainer implements TrainingRun.Trainer<List<List<Comparison>>, RewardTrainer.StepResult>, AutoCloseable {

    /** What one step did; rewards are raw (before normalisation). */
    record StepResult(long step, double loss, double accuracy, double meanMargin, double rewardMean, double rewardStd,
                      double learningRate, double gradNorm, int pairs, int sequences, double seconds)
            implements TrainingRun.Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            line.addProperty("loss", loss);
            line.addProperty("accuracy", accuracy);
            line.addProperty("margin", meanMargin);
            line.addProperty("reward_mean", rewardMean);
            line.addProperty("reward_std", rewardStd);
            line.addProperty("lr", learningRate);
            line.addProperty("grad_norm", gradNorm);
            line.addProperty("pairs", pairs);
            line.addProperty("sequences_per_s", sequences / seconds);
            return line;
        }
    }

    /** Loss (weighted as in training), pair accuracy and mean margin over a held-out set. */
    record Evaluation(double loss, double accuracy, double meanMargin) implements TrainingRun.Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            line.addProperty("eval_loss", loss);
            line.addProperty("eval_accuracy", accuracy);
            line.addProperty("eval_margin", meanMargin);
            return line;
        }
    }

    private final RewardModel model;
    private final TrainingConfig config;
    private final double centerCoefficient;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final List<Parameter> trainable;

    RewardTrainer(RewardModel model, TrainingConfig config, double centerCoefficient) {
        this.model = model;
        this.config = config;
        this.centerCoefficient = centerCoefficient;
        DecoderModel decoder = model.languageModel().decoder();
        List<Parameter> parameters = new ArrayList<>();
        if (decoder.adapters() != null) {
            parameters.addAll(decoder.adapters().parameters());
        } else {
            for (Parameter p : decoder.parameters()) {
                if (!p.name().equals("lm_head.weight")) {
                    parameters.add(p);
                }
            }
        }
        parameters.add(model.headWeight());
        this.trainable = List.copyOf(parameters);
        this.optimizer = Optimizers.adamW(trainable, config.optimizer());
        this.schedule = config.learningRateSchedule();
    }

    /** Optimizer steps taken (a resumed run counts those before its checkpoint). */
    @Override
    public long step() {
        return optimizer.stepCount();
    }

    @Override
    public StepResult step(List<List<Comparison>> microBatches) {
        long t0 = System.nanoTime();
        int groups = 0;
        for (List<Comparison> batch : microBatches) {
            groups += batch.size();
        }
        if (groups == 0) {
            throw new IllegalArgumentException("the step holds no comparisons");
        }
        double lossSum = 0;
        List<Float> rewards = new ArrayList<>();
        int correct = 0;
        int pairCount = 0;
        double marginSum = 0;
        LoraAdapters adapters = model.languageModel().decoder().adapters();
        if (adapters != null) {
            adapters.setTraining(true);   // LoRA dropout, if configured, in training forwards only
        }
        try {
            for (List<Comparison> batch : microBatches) {
                Flattened f = Flattened.of(batch, groups);
                try (NDManager scope = model.languageModel().decoder().manager().newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    // 1. forward
                    NDArray r = model.rawRewards(f.batch(model), scope);                              // (N)
                    // 2. loss, weighted over the whole step
                    NDArray loss = RewardLoss.loss(r, f.pairs(), f.weights(), centerCoefficient);
                    collector.backward(loss);
                    lossSum += loss.getFloat();
                    float[] values = r.toFloatArray();
                    for (float v : values) {
                        rewards.add(v);
                    }
                    for (RewardLoss.Pair p : f.pairs()) {
                        correct += values[p.better()] > values[p.worse()] ? 1 : 0;
                        marginSum += values[p.better()] - values[p.worse()];
                    }
                    pairCount += f.pairs().size();
                }
            }
        } finally {
            if (adapters != null) {
                adapters.setTraining(false);
            }
        }
        // 3. clip, update, zero
        double gradNorm = optimizer.clipGradientNorm(config.maxGradNorm());
        double learningRate = config.optimizer().learningRate() * schedule.at(optimizer.stepCount());
        if (Double.isFinite(gradNorm)) {
            optimizer.step(learningRate);
        }
        optimizer.zeroGradients();
        double mean = 0;
        for (float v : rewards) {
            mean += v;
        }
        mean /= rewards.size();
        double squares = 0;
        for (float v : rewards) {
            squares += (v - mean) * (v - mean);
        }
        return new StepResult(optimizer.stepCount(), lossSum, (double) correct / pairCount, marginSum / pairCount, mean,
                Math.sqrt(squares / rewards.size()), learningRate, gradNorm, pairCount, rewards.size(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** The held-out loss (mean over comparisons of their mean pair loss), accuracy and margin; no gradients. */
    Evaluation evaluate(List<Comparison> comparisons, int batchSize) {
        double loss = 0;
        int correct = 0;
        int pairs = 0;
        double marginSum = 0;
        for (int from = 0; from < comparisons.size(); from += batchSize) {
            List<Comparison> batch = comparisons.subList(from, Math.min(comparisons.size(), from + batchSize));
            Flattened f = Flattened.of(batch, comparisons.size());
            try (NDManager scope = model.languageModel().decoder().manager().newSubManager()) {
                float[] r = model.rawRewards(f.batch(model), scope).toFloatArray();
                double[] rewards = new double[r.length];
                for (int i = 0; i < r.length; i++) {
                    rewards[i] = r[i];
                }
                loss += RewardLoss.loss(rewards, f.pairs(), f.weights(), centerCoefficient);
                for (RewardLoss.Pair p : f.pairs()) {
                    correct += r[p.better()] > r[p.worse()] ? 1 : 0;
                    marginSum += r[p.better()] - r[p.worse()];
                }
                pairs += f.pairs().size();
            }
        }
        return new Evaluation(loss, (double) correct / pairs, marginSum / pairs);
    }

    @Override
    public void saveState(Path dir) throws IOException {
        TrainerState.save(dir, trainable, optimizer);
    }

    @Override
    public void loadState(Path dir) throws IOException {
        TrainerState.load(dir, trainable, optimizer);
    }

    @Override
    public void close() {
        optimizer.close();
        for (Parameter p : trainable) {
            p.array().setRequiresGradient(false);
        }
    }

    /**
     * A micro-batch as rows: every comparison's sequences in order, its pairs moved to those rows,
     * each pair weighted 1 / (groupsInStep · pairs of its comparison).
     */
    private record Flattened(List<int[]> sequences, List<RewardLoss.Pair> pairs, double[] weights) {
        static Flattened of(List<Comparison> batch, int groupsInStep) {
            List<int[]> sequences = new ArrayList<>();
            List<RewardLoss.Pair> pairs = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            for (Comparison c : batch) {
                int offset = sequences.size();
                sequences.addAll(c.sequences());
                for (RewardLoss.Pair p : c.pairs()) {
                    pairs.add(p.shifted(offset));
                    weights.add(1.0 / ((double) groupsInStep * c.pairs().size()));
                }
            }
            return new Flattened(sequences, pairs, weights.stream().mapToDouble(Double::doubleValue).toArray());
        }

        SequenceBatch batch(RewardModel model) {
            return SequenceBatch.of(sequences, model.languageModel().specialTokens().padId(), SequenceBatch.Side.LEFT,
                    model.languageModel().config());
        }
    }
}
