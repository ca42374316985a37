package org.jalign.lm.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, Algorithm 2) with the order of operations of
 * {@code torch.optim.AdamW}'s single-tensor path, updating DJL arrays in place.
 *
 * <p>Per step t (counted from 1), for each parameter p with gradient g and learning rate lr:
 * <ol>
 *   <li>decoupled weight decay, only where {@link TrainableParameter#decay()}:
 *       p ← p·(1 − lr·wd) (= p − lr·wd·p, applied before the Adam update as PyTorch does);</li>
 *   <li>first moment m ← m + (1 − β1)(g − m) (= β1·m + (1 − β1)·g; PyTorch's {@code lerp_});</li>
 *   <li>second moment v ← β2·v + (1 − β2)·g²;</li>
 *   <li>bias corrections b1 = 1 − β1^t, b2 = 1 − β2^t (so m̂ = m/b1, v̂ = v/b2);</li>
 *   <li>p ← p − (lr/b1)·m / (√v / √b2 + ε), i.e. p − lr·m̂/(√v̂ + ε).</li>
 * </ol>
 *
 * <p>How a trainer drives it, one optimizer step per {@code k} micro-batches (gradient
 * accumulation):
 * <pre>{@code
 * optimizer.zeroGradients();
 * for (micro-batch 1..k) {                        // DJL adds each backward into the gradients
 *     try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
 *         collector.backward(loss.div(k));          // 1/k: the sum over k micro-batches is the mean
 *     }
 * }
 * double gradNorm = optimizer.clipGradientNorm(1.0);   // skip the step if not finite
 * optimizer.step(config.learningRate() * schedule.at(optimizer.stepCount()));
 * }</pre>
 * With micro-batches of unequal size (the last one of an epoch, or token-level losses with
 * different numbers of valid tokens), scale each loss by its share of the accumulated batch
 * (its token count over the total) instead of 1/k, so every token weighs the same.
 *
 * <p>Memory: the moments live on this optimizer's own manager, created with the parameter's
 * dtype and device. Each call works in a scratch sub-manager that it closes, so the number of
 * arrays on the optimizer's and on the parameters' managers stays flat however long it runs.
 *
 * <p>Not supported (not used by the RLHF recipes): amsgrad, maximize, per-group hyper-parameters.
 * A parameter that took no part in the backward pass is treated as having a zero gradient
 * (PyTorch skips parameters whose {@code grad} is None): leave frozen weights out instead.
 */
public final class AdamW implements AutoCloseable {

    private final AdamWConfig config;
    private final List<TrainableParameter> parameters;
    private final NDManager stateManager;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long stepCount;

    /**
     * @param parameters the tensors to train, each requiring a gradient, with unique names
     * @param config     β1, β2, ε and weight decay; its learning rate is the peak a trainer
     *                   scales by a schedule and passes to {@link #step(double)}
     */
    public AdamW(List<TrainableParameter> parameters, AdamWConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.parameters = List.copyOf(parameters);
        if (this.parameters.isEmpty()) {
            throw new IllegalArgumentException("adamw needs at least one trainable parameter");
        }
        Set<String> names = new HashSet<>();
        for (TrainableParameter parameter : this.parameters) {
            if (!names.add(parameter.name())) {
                throw new IllegalArgumentException("trainable parameter '" + parameter.name()
                        + "' is listed twice; names key the optimizer state and must be unique");
            }
            DataType dataType = parameter.values().getDataType();
            if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
                throw new IllegalArgumentException("trainable parameter '" + parameter.name()
                        + "' is " + dataType + "; adamw updates float32 or float64 weights");
            }
            if (!parameter.values().hasGradient()) {
                throw new IllegalArgumentException("trainable parameter '" + parameter.name()
                        + "' does not require a gradient: call values.setRequiresGradient(true), or leave it out to freeze it");
            }
        }
        this.stateManager = NDManager.newBaseManager(this.parameters.get(0).values().getDevice());
        for (TrainableParameter parameter : this.parameters) {
            // zerosLike keeps the parameter's dtype and device; attach moves ownership to us
            NDArray first = parameter.values().zerosLike();
            first.attach(stateManager);
            firstMoments.add(first);
            NDArray second = parameter.values().zerosLike();
            second.attach(stateManager);
            secondMoments.add(second);
        }
    }

    public AdamWConfig config() {
        return config;
    }

    public List<TrainableParameter> parameters() {
        return parameters;
    }

    /** Optimizer steps taken so far (t); the next {@link #step} is step t + 1. */
    public long stepCount() {
        return stepCount;
    }

    /**
     * One AdamW update of every parameter from its current gradient, in place. Call it after the
     * gradient collector is closed (DJL turns autograd recording off then, so in-place updates of
     * the weights are not recorded).
     *
     * @param learningRate this step's learning rate (the peak times the schedule's factor), ≥ 0
     */
    public void step(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + learningRate);
        }
        stepCount++;
        double beta1 = config.beta1();
        double beta2 = config.beta2();
        // 4. bias corrections in double, as PyTorch computes them in Python floats
        double biasCorrection1 = 1 - Math.pow(beta1, stepCount);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, stepCount));
        double stepSize = learningRate / biasCorrection1;
        double decayFactor = 1 - learningRate * config.weightDecay();

        for (int i = 0; i < parameters.size(); i++) {
            // one scratch per parameter: its temporaries (several weight-sized arrays) are freed
            // before the next parameter's are made, so the step's peak memory is one parameter's
            try (NDManager scratch = stateManager.newSubManager()) {
                TrainableParameter parameter = parameters.get(i);
                NDArray weights = parameter.values();
                NDArray gradient = weights.getGradient();   // a new handle on the weights' manager:
                gradient.attach(scratch);                     // hand it to scratch so it is closed
                NDArray first = firstMoments.get(i);
                NDArray second = secondMoments.get(i);
                first.tempAttach(scratch);                   // results of ops on the moments land
                second.tempAttach(scratch);                  // on scratch, not on the state manager

                // 1. decoupled weight decay (muli by a scalar makes no array that outlives the call)
                if (parameter.decay() && config.weightDecay() != 0) {
                    weights.muli(decayFactor);
                }
                // 2. m ← m + (1 − β1)(g − m)
                first.addi(gradient.sub(first).muli(1 - beta1));
                // 3. v ← β2·v + (1 − β2)·g²
                second.muli(beta2).addi(gradient.mul(gradient).muli(1 - beta2));
                // 5. p ← p − (lr/b1)·m / (√v/√b2 + ε)
                NDArray denominator = second.sqrt().divi(biasCorrection2Sqrt).addi(config.epsilon());
                weights.subi(first.div(denominator).muli(stepSize));
            }
        }
    }

    /**
     * Sets every parameter's gradient to zero in place. DJL adds each backward pass into the
     * existing gradient (across collectors), so call this before the first micro-batch of each
     * optimizer step. Zeroing by assignment, not {@code g − g}, also clears NaN and inf.
     */
    public void zeroGradients() {
        try (NDManager scratch = stateManager.newSubManager()) {
            NDIndex all = new NDIndex("...");
            for (TrainableParameter parameter : parameters) {
                NDArray gradient = parameter.values().getGradient();
                gradient.attach(scratch);   // the handle and the indexer's temporaries close with scratch
                gradient.set(all, 0);
            }
        }
    }

    /**
     * Clips the parameters' gradients to a global L2 norm, in place
     * ({@link GradientClipping#clipByGlobalNorm}).
     *
     * @return the norm before clipping; not finite means the step should be skipped
     */
    public double clipGradientNorm(double maxNorm) {
        try (NDManager scratch = stateManager.newSubManager()) {
            List<NDArray> gradients = new ArrayList<>(parameters.size());
            for (TrainableParameter parameter : parameters) {
                NDArray gradient = parameter.values().getGradient();
                gradient.attach(scratch);
                gradients.add(gradient);
            }
            return GradientClipping.clipByGlobalNorm(gradients, maxNorm);
        }
    }

    /**
     * The state for a checkpoint: step count and copies of both moments, by parameter name.
     *
     * @throws IllegalStateException for float64 parameters, whose moments a float array cannot
     *                               hold exactly
     */
    public AdamWState exportState() {
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            TrainableParameter parameter = parameters.get(i);
            if (parameter.values().getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException("cannot export adamw state of '" + parameter.name() + "': it is "
                        + parameter.values().getDataType() + " and the state holds float32 exactly only");
            }
            first.put(parameter.name(), firstMoments.get(i).toFloatArray());
            second.put(parameter.name(), secondMoments.get(i).toFloatArray());
        }
        return new AdamWState(stepCount, first, second);
    }

    /**
     * Restores a state from {@link #exportState()}, overwriting the moments in place, so the next
     * step is exactly the one the exporting optimizer would have taken. The state must name
     * exactly this optimizer's parameters, each with its element count.
     */
    public void importState(AdamWState state) {
        Set<String> expected = new TreeSet<>();
        for (TrainableParameter parameter : parameters) {
            expected.add(parameter.name());
        }
        if (!state.firstMoments().keySet().equals(expected)) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(state.firstMoments().keySet());
            Set<String> unexpected = new TreeSet<>(state.firstMoments().keySet());
            unexpected.removeAll(expected);
            throw new IllegalArgumentException("adamw state does not match the trainable parameters: missing "
                    + missing + ", unexpected " + unexpected);
        }
        for (int i = 0; i < parameters.size(); i++) {
            TrainableParameter parameter = parameters.get(i);
            long size = parameter.values().size();
            float[] first = state.firstMoments().get(parameter.name());
            if (first.length != size) {
                throw new IllegalArgumentException("adamw state for '" + parameter.name() + "' holds " + first.length
                        + " values but the parameter has " + size + " (shape " + parameter.values().getShape() + ")");
            }
            if (parameter.values().getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("cannot import adamw state into '" + parameter.name() + "': it is "
                        + parameter.values().getDataType() + " and the state holds float32");
            }
        }
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).name();
            firstMoments.get(i).set(state.firstMoments().get(name));
            secondMoments.get(i).set(state.secondMoments().get(name));
        }
        stepCount = state.step();
    }

    /** The manager owning the moments; tests use it to check that nothing accumulates. */
    NDManager stateManager() {
        return stateManager;
    }

    /** Frees the moments. The parameters belong to the caller and stay open. */
    @Override
    public void close() {
        stateManager.close();
    }
}
