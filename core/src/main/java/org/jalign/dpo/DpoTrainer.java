package org.jalign.dpo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.jalign.lm.train.Optimizers;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.Parameter;
import org.jalign.lm.lora.LoraAdapters;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.LearningRateSchedule;
import org.jalign.lm.train.SequenceBatch;
import org.jalign.lm.train.TrainerState;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.TrainingRun;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One optimizer step of the policy on micro-batches of {@link DpoData.Example}s.
 *
 * <ol>
 *   <li>Reference log-probs of both sequences of every example, without gradient (adapters off,
 *       a frozen copy, or the precomputed cache: {@link ReferenceLogProbs}); none for SimPO/ORPO.</li>
 *   <li>KTO only: the policy's log-probs of the mismatched sequences, without gradient, and the KL
 *       baseline z = max(0, mean(π − ρ)) of the micro-batch ({@link DpoLoss#ktoKlBaseline}).</li>
 *   <li>Policy forward under a gradient collector: for pairs, chosen and rejected rows in one
 *       left-padded batch of 2N (TRL's "concatenated forward"); for KTO the N completions.
 *       Σ log π over the completion's tokens ({@link #sequenceLogProbs}).</li>
 *   <li>The loss ({@link DpoObjective}), summed and divided by the examples in the whole step, so k
 *       micro-batches accumulate exactly the gradient of one batch of all their examples.</li>
 *   <li>Clip the global gradient norm, AdamW at peak × schedule(step), zero the gradients.</li>
 * </ol>
 * Trains the LoRA adapters when attached (base frozen), else every weight of the model.
 */
final class DpoTrainer implements TrainingRun.Trainer<List<List<DpoData.Example>>, DpoTrainer.StepResult>, AutoCloseable {

    /** Reference log-probs of the examples' sequences, (2N): every first sequence, then every second. */
    @FunctionalInterface
    interface ReferenceLogProbs {
        float[] of(List<DpoData.Example> batch);
    }

    /** What one step did. */
    record StepResult(long step, DpoMetrics metrics, double learningRate, double gradNorm, int examples, long tokens,
                      double seconds) implements TrainingRun.Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            metrics.writeTo(line, "");
            line.addProperty("lr", learningRate);
            line.addProperty("grad_norm", gradNorm);
            line.addProperty("examples", examples);
            line.addProperty("tokens_per_s", tokens / seconds);
            return line;
        }
    }

    /** Held-out metrics, logged with TRL's {@code eval_} prefix. */
    record Evaluation(DpoMetrics metrics) implements TrainingRun.Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            metrics.writeTo(line, "eval_");
            return line;
        }
    }

    private final LanguageModel model;
    private final DpoObjective objective;
    private final ReferenceLogProbs reference;
    private final TrainingConfig config;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final List<Parameter> trainable;

    /** @param reference null for the reference-free losses */
    DpoTrainer(LanguageModel model, DpoObjective objective, ReferenceLogProbs reference, TrainingConfig config) {
        this.model = model;
        this.objective = objective;
        this.reference = reference;
        this.config = config;
        DecoderModel decoder = model.decoder();
        this.trainable = List.copyOf(decoder.adapters() != null ? decoder.adapters().parameters() : decoder.parameters());
        this.optimizer = Optimizers.adamW(trainable, config.optimizer());
        this.schedule = config.learningRateSchedule();
    }

    @Override
    public long step() {
        return optimizer.stepCount();
    }

    @Override
    public StepResult step(List<List<DpoData.Example>> microBatches) {
        long t0 = System.nanoTime();
        int total = 0;
        for (List<DpoData.Example> batch : microBatches) {
            total += batch.size();
        }
        if (total == 0) {
            throw new IllegalArgumentException("the step holds no examples");
        }
        DpoMetrics metrics = new DpoMetrics();
        long tokens = 0;
        LoraAdapters adapters = model.decoder().adapters();
        for (List<DpoData.Example> batch : microBatches) {
            try (NDManager scope = model.decoder().manager().newSubManager()) {
                // 1. reference, 2. KTO's baseline
                NDArray ref = reference == null ? null : scope.create(reference.of(batch));
                NDArray kl = objective.type() == DpoLossType.KTO ? klBaseline(batch, ref, scope) : null;
                // 3. policy forward, 4. loss
                List<DpoEncoder.Encoded> rows = objective.type().paired() ? both(batch) : firsts(batch);
                for (DpoEncoder.Encoded e : rows) {
                    tokens += e.length();
                }
                if (adapters != null) {
                    adapters.setTraining(true);   // LoRA dropout, if configured, in the training forward only
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray policy = sequenceLogProbs(model, rows, scope);
                    NDArray losses = losses(batch, policy, ref, kl, scope, metrics);
                    NDArray loss = losses.sum().div(total);
                    collector.backward(loss);
                } finally {
                    if (adapters != null) {
                        adapters.setTraining(false);
                    }
                }
            }
        }
        // 5. clip, update, zero
        double gradNorm = optimizer.clipGradientNorm(config.maxGradNorm());
        double learningRate = config.optimizer().learningRate() * schedule.at(optimizer.stepCount());
        if (Double.isFinite(gradNorm)) {
            optimizer.step(learningRate);
        }
        optimizer.zeroGradients();
        return new StepResult(optimizer.stepCount(), metrics, learningRate, gradNorm, total, tokens,
                (System.nanoTime() - t0) / 1e9);
    }

    /** The held-out metrics (loss = mean per example); no gradients. */
    Evaluation evaluate(List<DpoData.Example> examples, int batchSize) {
        DpoMetrics metrics = new DpoMetrics();
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<DpoData.Example> batch = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (NDManager scope = model.decoder().manager().newSubManager()) {
                NDArray ref = reference == null ? null : scope.create(reference.of(batch));
                NDArray kl = objective.type() == DpoLossType.KTO ? klBaseline(batch, ref, scope) : null;
                NDArray policy = sequenceLogProbs(model, objective.type().paired() ? both(batch) : firsts(batch), scope);
                losses(batch, policy, ref, kl, scope, metrics);
            }
        }
        return new Evaluation(metrics);
    }

    /** Per-example losses (N) of step 4, and their metrics added to {@code metrics}. */
    private NDArray losses(List<DpoData.Example> batch, NDArray policy, NDArray ref, NDArray kl, NDManager scope,
                           DpoMetrics metrics) {
        int n = batch.size();
        if (objective.type().paired()) {
            float[] chosenTokens = new float[n];
            float[] rejectedTokens = new float[n];
            for (int i = 0; i < n; i++) {
                chosenTokens[i] = batch.get(i).first().scoredCount();
                rejectedTokens[i] = batch.get(i).second().scoredCount();
            }
            NDArray[] p = policy.split(2).toArray(new NDArray[0]);
            NDArray[] r = ref == null ? new NDArray[2] : ref.split(2).toArray(new NDArray[0]);
            DpoLoss.PairOutcome o = objective.pairs(new DpoLoss.PairLogProbs(p[0], p[1], r[0], r[1],
                    scope.create(chosenTokens), scope.create(rejectedTokens)));
            metrics.addPairs(o.losses().toFloatArray(), o.chosenRewards().toFloatArray(),
                    o.rejectedRewards().toFloatArray(), p[0].toFloatArray(), p[1].toFloatArray());
            return o.losses();
        }
        float[] desirable = new float[n];
        for (int i = 0; i < n; i++) {
            desirable[i] = batch.get(i).desirable() ? 1 : 0;
        }
        NDArray firstReference = ref.split(2).get(0);
        DpoLoss.KtoOutcome o = objective.kto(policy, firstReference, scope.create(desirable), kl);
        metrics.addUnpaired(o.losses().toFloatArray(), o.rewards().toFloatArray(), policy.toFloatArray(), desirable,
                kl.getFloat());
        return o.losses();
    }

    /** Step 2: z from the policy and reference log-probs of the batch's mismatched sequences. */
    private NDArray klBaseline(List<DpoData.Example> batch, NDArray ref, NDManager scope) {
        List<DpoEncoder.Encoded> mismatched = new ArrayList<>();
        for (DpoData.Example e : batch) {
            mismatched.add(e.second());
        }
        NDArray policy = sequenceLogProbs(model, mismatched, scope);
        return DpoLoss.ktoKlBaseline(policy, ref.split(2).get(1));
    }

    /**
     * Σ log π(token | earlier tokens) over each sequence's scored (completion) tokens, at
     * temperature 1, from one left-padded batch: (B) on {@code scope}. Differentiable under a
     * gradient collector.
     */
    static NDArray sequenceLogProbs(LanguageModel model, List<DpoEncoder.Encoded> sequences, NDManager scope) {
        List<int[]> ids = new ArrayList<>(sequences.size());
        for (DpoEncoder.Encoded e : sequences) {
            ids.add(e.tokens());
        }
        SequenceBatch batch = SequenceBatch.of(ids, model.specialTokens().padId(), SequenceBatch.Side.LEFT, model.config());
        int rows = batch.rows();
        int length = batch.length();
        float[] mask = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            DpoEncoder.Encoded e = sequences.get(r);
            int offset = length - e.length();
            for (int i = 1; i < e.length(); i++) {
                if (e.scoredAt(i)) {
                    mask[r * length + offset + i - 1] = 1f;   // column t scores token t + 1
                }
            }
        }
        NDArray logProbs = batch.nextTokenLogProbs(model.decoder(), scope, 1.0);                   // (B, T)
        return logProbs.mul(scope.create(mask, new Shape(rows, length))).sum(new int[] {1});      // (B)
    }

    private static List<DpoEncoder.Encoded> both(List<DpoData.Example> batch) {
        List<DpoEncoder.Encoded> rows = new ArrayList<>(2 * batch.size());
        for (DpoData.Example e : batch) {
            rows.add(e.first());
        }
        for (DpoData.Example e : batch) {
            rows.add(e.second());
        }
        return rows;
    }

    private static List<DpoEncoder.Encoded> firsts(List<DpoData.Example> batch) {
        List<DpoEncoder.Encoded> rows = new ArrayList<>(batch.size());
        for (DpoData.Example e : batch) {
            rows.add(e.first());
        }
        return rows;
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
}
