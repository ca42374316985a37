package org.jalign.lm.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.jalign.lm.DecoderModel;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.Parameter;
import org.jalign.lm.TokenLogProbs;
import org.jalign.lm.lora.LoraAdapters;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.LearningRateSchedule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Next-token training of a {@link LanguageModel}: the step SFT, pretraining and the reward
 * model's language part share.
 *
 * <ol>
 *   <li>Forward each micro-batch (left-padded, positions from the mask) under a gradient
 *       collector; loss = Σ −log p(target) / (targets in the whole step), so k micro-batches
 *       accumulate exactly the gradient of one large batch.</li>
 *   <li>Clip the global gradient norm (torch's clip_grad_norm_).</li>
 *   <li>AdamW at peak × schedule(step), then zero the gradients (DJL accumulates across
 *       collectors).</li>
 * </ol>
 *
 * <p>Trains the LoRA adapters when the model has some (the base stays frozen), else every weight.
 */
public final class CausalLmTrainer implements AutoCloseable {

    /** What one optimizer step did. */
    public record StepResult(long step, double loss, double learningRate, double gradNorm, long tokens,
                             double seconds) {
    }

    private final LanguageModel model;
    private final TrainingConfig config;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final List<Parameter> trainable;

    public CausalLmTrainer(LanguageModel model, TrainingConfig config) {
        this.model = model;
        this.config = config;
        DecoderModel decoder = model.decoder();
        this.trainable = decoder.adapters() != null ? decoder.adapters().parameters() : decoder.parameters();
        this.optimizer = Optimizers.adamW(trainable, config.optimizer());
        this.schedule = config.learningRateSchedule();
    }

    /** Optimizer steps taken (resumed runs count the steps before the checkpoint). */
    public long step() {
        return optimizer.stepCount();
    }

    /** One optimizer step over {@code microBatches} (usually config.accumulation() of them). */
    public StepResult step(List<TokenBatch> microBatches) {
        long t0 = System.nanoTime();
        long targets = 0;
        long tokens = 0;
        for (TokenBatch b : microBatches) {
            targets += b.targetCount();
            tokens += b.tokenCount();
        }
        if (targets == 0) {
            throw new IllegalArgumentException("the step's batches hold no target tokens");
        }
        double lossSum = 0;
        LoraAdapters adapters = model.decoder().adapters();
        if (adapters != null) {
            adapters.setTraining(true);   // LoRA dropout applies to training forwards only
        }
        try {
            for (TokenBatch batch : microBatches) {
                try (NDManager scope = model.decoder().manager().newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray nll = negativeLogLikelihood(batch, scope);
                    collector.backward(nll.div(scope.create((float) targets)));
                    lossSum += nll.getFloat();
                }
            }
        } finally {
            if (adapters != null) {
                adapters.setTraining(false);
            }
        }
        double gradNorm = optimizer.clipGradientNorm(config.maxGradNorm());
        double learningRate = config.optimizer().learningRate() * schedule.at(optimizer.stepCount());
        if (Double.isFinite(gradNorm)) {
            optimizer.step(learningRate);
        }
        optimizer.zeroGradients();
        return new StepResult(optimizer.stepCount(), lossSum / targets, learningRate, gradNorm, tokens,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Mean −log p per target token over {@code batches}, without gradients. */
    public double evaluate(List<TokenBatch> batches) {
        double sum = 0;
        long targets = 0;
        for (TokenBatch batch : batches) {
            try (NDManager scope = model.decoder().manager().newSubManager()) {
                sum += negativeLogLikelihood(batch, scope).getFloat();
                targets += batch.targetCount();
            }
        }
        return sum / Math.max(1, targets);
    }

    /** Σ −log p(token t | tokens before) over the batch's targets, as a scalar on {@code scope}. */
    private NDArray negativeLogLikelihood(TokenBatch batch, NDManager scope) {
        int rows = batch.tokens().size();
        int length = 0;
        for (int[] s : batch.tokens()) {
            length = Math.max(length, s.length);
        }
        long[] ids = new long[rows * length];
        long[] positions = new long[rows * length];
        float[] mask = new float[rows * length];
        float[] weights = new float[rows * (length - 1)];
        int pad = model.specialTokens().padId();
        for (int r = 0; r < rows; r++) {
            int[] s = batch.tokens().get(r);
            boolean[] t = batch.targets().get(r);
            int offset = length - s.length;
            for (int i = 0; i < offset; i++) {
                ids[r * length + i] = pad;
            }
            for (int i = 0; i < s.length; i++) {
                ids[r * length + offset + i] = s[i];
                positions[r * length + offset + i] = i;
                mask[r * length + offset + i] = 1;
                if (t[i]) {
                    weights[r * (length - 1) + offset + i - 1] = 1; // logits at slot j predict slot j + 1
                }
            }
        }
        DecoderModel decoder = model.decoder();
        NDArray input = scope.create(ids, new Shape(rows, length));
        NDArray hidden = decoder.hiddenStates(input, scope.create(positions, new Shape(rows, length)),
                scope.create(mask, new Shape(rows, length)), null);
        NDArray logits = decoder.logits(hidden.get(new NDIndex(":, :-1, :")));
        NDArray logProbs = TokenLogProbs.selected(logits, input.get(new NDIndex(":, 1:")), 1.0);
        return logProbs.mul(scope.create(weights, new Shape(rows, length - 1))).sum().neg();
    }

    /**
     * Writes what resuming needs into {@code dir}: the trainable weights (trainable.safetensors),
     * AdamW's moments (optimizer.safetensors) and the step (trainer.json).
     */
    public void saveState(Path dir) throws IOException {
        TrainerState.save(dir, trainable, optimizer);
    }

    /** Restores a state written by {@link #saveState}; every tensor is checked by name and shape. */
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
