package org.jalign.ppo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.data.Shuffling;
import org.jalign.lm.train.Optimizers;
import org.jalign.data.AtomicFiles;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.Parameter;
import org.jalign.lm.ScalarHead;
import org.jalign.lm.TokenLogProbs;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.SequenceBatch;
import org.jalign.lm.train.TrainerState;
import org.jalign.reward.RewardFunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One PPO step for RLHF, as in TRL's {@code PPOTrainer} and OpenRLHF, after Ziegler et al. 2019
 * and "The N implementation details of RLHF with PPO" (Huang et al. 2022). Each {@link #step()}:
 * <ol>
 *   <li>Rollout: the policy samples {@code numReturnSequences} completions for each of
 *       {@code batchSize} prompts (prompts visited in a seeded order per pass; sampling seeded by
 *       (seed, step)). A completion ends at its first EOS, which it keeps as a real token.</li>
 *   <li>Score with the {@link RewardFunction}; the EOS trick (Huang et al., "non_eos_penalty"): a
 *       completion cut by the token limit gets the fixed {@code missingEosScore}; optional clip.</li>
 *   <li>One fresh forward, no gradient, in float32 at the sampling temperature: the policy's log-probs
 *       (π_old) and values, and the reference's log-probs — the same weights with the LoRA adapters
 *       switched off, or a frozen copy for full fine-tuning.</li>
 *   <li>Shaped rewards −β·(log π − log π_ref) per token, the score added at the last real token
 *       ({@link KlPenalty}); optionally whitened without shifting the mean.</li>
 *   <li>GAE backwards over the response tokens ({@link Gae}); advantages whitened over the valid
 *       tokens ({@link Whiten}).</li>
 *   <li>{@code ppoEpochs} passes over the completions in seeded shuffled minibatches: fresh forward
 *       with gradients, {@link PpoLoss}, backward, global-norm clip, AdamW (ε = 1e-5).</li>
 *   <li>Statistics, and β updated from the step's k1 KL ({@link KlController}).</li>
 * </ol>
 *
 * <p>Trained: the LoRA adapters (when attached) or every policy weight, and the value head — a
 * zero-initialised {@link ScalarHead} on the policy's own final hidden states (shared trunk, as
 * TRL's {@code AutoModelForCausalLMWithValueHead}). Dropout stays off throughout (adapters are never
 * put in training mode), so the first minibatch's ratio is 1. Response-aligned arrays (B, R) hold
 * NaN after each row's last real token: nothing reads them ({@link PpoLoss} replaces them first).
 */
public final class PpoTrainer implements AutoCloseable {

    /** What one step did. KL values are per response (summed over tokens), means over the step. */
    public record StepResult(long step, double scoreMean, double scoreStd, double rawScoreMean, double klK1,
                             double klK3, double beta, double nonScoreReward, double entropy, double policyLoss,
                             double valueLoss, double approxKl, double clipFraction, double valueClipFraction,
                             double explainedVariance, double responseLength, double eosFraction,
                             double firstRatioMaxDeviation, double firstApproxKl, double gradNorm, long tokens,
                             double seconds, double generationSeconds) {
    }

    private static final float SENTINEL = Float.NaN;

    private final LanguageModel policy;
    private final LanguageModel frozenReference;
    private final RewardFunction reward;
    private final List<int[]> prompts;
    private final PpoConfig config;
    private final ScalarHead valueHead;
    private final List<Parameter> trainable;
    private final AdamW optimizer;
    private final int padId;
    private KlController klController;
    private long step;
    private final Deque<Double> recentScores = new ArrayDeque<>();

    /**
     * @param policy          the model to train: with LoRA adapters attached, only they train
     * @param frozenReference for full fine-tuning, a frozen copy of the initial policy; null with
     *                        adapters (the reference is the policy with adapters switched off)
     * @param prompts         prompt ids, each short enough for prompt + maxNewTokens positions
     */
    public PpoTrainer(LanguageModel policy, LanguageModel frozenReference, RewardFunction reward, List<int[]> prompts,
                      PpoConfig config) {
        boolean lora = policy.decoder().adapters() != null;
        if (!lora && frozenReference == null) {
            throw new IllegalArgumentException("full fine-tuning needs a frozen reference copy of the policy");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("PPO needs at least one prompt");
        }
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).length == 0 || prompts.get(i).length + config.maxNewTokens() > policy.config().maxPositions()) {
                throw new IllegalArgumentException("prompt " + i + " has " + prompts.get(i).length + " tokens; with "
                        + config.maxNewTokens() + " new tokens it needs 1.." + (policy.config().maxPositions()
                        - config.maxNewTokens()) + " to fit max_position_embeddings " + policy.config().maxPositions());
            }
        }
        this.policy = policy;
        this.frozenReference = frozenReference;
        this.reward = reward;
        this.prompts = List.copyOf(prompts);
        this.config = config;
        this.padId = policy.specialTokens().padId();
        this.klController = config.klController();
        this.valueHead = ScalarHead.value(policy.config().hiddenSize(), policy.decoder().manager());
        List<Parameter> parameters = new ArrayList<>(lora ? policy.decoder().adapters().parameters()
                : policy.decoder().parameters());
        parameters.addAll(valueHead.parameters("v_head"));
        this.trainable = List.copyOf(parameters);
        this.optimizer = Optimizers.adamW(trainable, new AdamWConfig(config.learningRate(), 0.9, 0.999, config.adamEpsilon(), 0));
    }

    /** PPO steps taken (a resumed run counts those before its checkpoint). */
    public long stepCount() {
        return step;
    }

    public double klCoefficient() {
        return klController.coefficient();
    }

    public ScalarHead valueHead() {
        return valueHead;
    }

    /** True once the mean score of the last {@code rewardWindow} steps reaches {@code targetReward}. */
    public boolean reachedTargetReward() {
        if (Double.isNaN(config.targetReward()) || recentScores.size() < config.rewardWindow()) {
            return false;
        }
        return recentScores.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN) >= config.targetReward();
    }

    /** One rollout of the model, response-aligned: what steps 3–6 work on. */
    private record Rollout(List<int[]> sequences, int[] promptLengths, int[] lengths, int width) {
    }

    public StepResult step() {
        long t0 = System.nanoTime();
        // 1. rollout
        List<int[]> batchPrompts = promptsFor(step);
        GenerationConfig sampling = new GenerationConfig(config.maxNewTokens(), false, config.temperature(), config.topK(),
                config.topP(), 1.0, config.numReturnSequences(), config.seed() * 1_000_003L + step);
        List<GeneratedSequence> generated = policy.generate(batchPrompts, sampling, 0);
        double generationSeconds = (System.nanoTime() - t0) / 1e9;
        int n = generated.size();
        List<int[]> promptIds = new ArrayList<>(n);
        List<int[]> completions = new ArrayList<>(n);
        List<int[]> sequences = new ArrayList<>(n);
        int[] promptLengths = new int[n];
        int[] lengths = new int[n];
        int width = 0;
        long tokens = 0;
        int withEos = 0;
        for (int i = 0; i < n; i++) {
            GeneratedSequence g = generated.get(i);
            int[] p = g.promptIds();
            int[] c = g.completionIds();
            if (c.length == 0) {
                throw new IllegalStateException("the policy generated no token for prompt " + g.promptIndex());
            }
            promptIds.add(p);
            completions.add(c);
            int[] s = Arrays.copyOf(p, p.length + c.length);
            System.arraycopy(c, 0, s, p.length, c.length);
            sequences.add(s);
            promptLengths[i] = p.length;
            lengths[i] = c.length;
            width = Math.max(width, c.length);
            tokens += c.length;
            withEos += g.finishedByEos() ? 1 : 0;
        }
        Rollout rollout = new Rollout(sequences, promptLengths, lengths, width);

        // 2. score; the EOS trick; optional clip
        float[] raw = reward.score(promptIds, completions);
        if (raw.length != n) {
            throw new IllegalStateException("the reward function returned " + raw.length + " scores for " + n + " completions");
        }
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(raw[i])) {
                throw new IllegalStateException("the reward function returned " + raw[i] + " for completion " + i);
            }
            scores[i] = !generated.get(i).finishedByEos() && !Double.isNaN(config.missingEosScore())
                    ? config.missingEosScore() : raw[i];
            if (!Double.isNaN(config.scoreClip())) {
                scores[i] = Math.max(-config.scoreClip(), Math.min(config.scoreClip(), scores[i]));
            }
        }

        // 3. one fresh forward of the policy (π_old, V_old, entropy) and the reference (π_ref)
        double[][] oldLogProbs = new double[n][width];
        double[][] oldValues = new double[n][width];
        double[][] entropies = new double[n][width];
        double[][] referenceLogProbs = new double[n][width];
        for (int from = 0; from < n; from += config.miniBatchSize()) {
            int[] rows = range(from, Math.min(n, from + config.miniBatchSize()));
            try (NDManager scope = policy.decoder().manager().newSubManager()) {
                Forward f = forward(policy, rollout, rows, scope, true);
                copyRows(f.logProbs(), rows, rollout, oldLogProbs);
                copyRows(f.values(), rows, rollout, oldValues);
                copyRows(f.entropy(), rows, rollout, entropies);
            }
            LanguageModel reference = frozenReference != null ? frozenReference : policy;
            try (NDManager scope = reference.decoder().manager().newSubManager();
                 AutoCloseable off = frozenReference != null ? () -> { } : policy.adaptersDisabled()) {
                copyRows(forward(reference, rollout, rows, scope, false).logProbs(), rows, rollout, referenceLogProbs);
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }

        // 4. KL-shaped rewards
        double beta = klController.coefficient();
        double klK1 = KlPenalty.mean(oldLogProbs, referenceLogProbs, lengths, KlPenalty.Estimator.K1);
        double klK3 = KlPenalty.mean(oldLogProbs, referenceLogProbs, lengths, KlPenalty.Estimator.K3);
        double[][] rewards = KlPenalty.shapedRewards(oldLogProbs, referenceLogProbs, lengths, scores, beta);
        if (config.whitenRewards()) {
            rewards = Whiten.whiten(rewards, lengths, false);
        }

        // 5. GAE, whitened advantages
        Gae.Result gae = Gae.compute(rewards, oldValues, lengths, config.gamma(), config.lambda());
        double[][] advantages = Whiten.whiten(gae.advantages(), lengths, true);
        double[][] returns = gae.returns();

        // 6. ppoEpochs × shuffled minibatches
        Accumulator stats = new Accumulator();
        double firstRatioDeviation = Double.NaN;
        double firstApproxKl = Double.NaN;
        double gradNorm = Double.NaN;
        for (int epoch = 0; epoch < config.ppoEpochs(); epoch++) {
            int[] order = Shuffling.permutation(n, new SplittableRandom((config.seed() * 1_000_003L + step) * 131 + epoch));
            for (int from = 0; from < n; from += config.miniBatchSize()) {
                int[] rows = Arrays.copyOfRange(order, from, Math.min(n, from + config.miniBatchSize()));
                try (NDManager scope = policy.decoder().manager().newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    Forward f = forward(policy, rollout, rows, scope, true);
                    Shape shape = new Shape(rows.length, width);
                    PpoLoss.Terms t = PpoLoss.compute(f.logProbs(), scope.create(pick(oldLogProbs, rows), shape),
                            scope.create(pick(advantages, rows), shape), f.values(),
                            scope.create(pick(oldValues, rows), shape), scope.create(pick(returns, rows), shape),
                            f.entropy(), scope.create(maskOf(rows, rollout), shape), config.lossCoefficients());
                    collector.backward(t.loss());
                    if (Double.isNaN(firstRatioDeviation)) {
                        firstRatioDeviation = t.ratioMaxDeviation().getFloat();
                        firstApproxKl = t.approxKl().getFloat();
                    }
                    stats.add(t);
                }
                gradNorm = optimizer.clipGradientNorm(config.maxGradNorm());
                if (Double.isFinite(gradNorm)) {
                    optimizer.step(config.learningRate());
                }
                optimizer.zeroGradients();
            }
        }

        // 7. statistics; β for the next step
        double nonScore = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                nonScore -= beta * KlPenalty.k1(oldLogProbs[i][t], referenceLogProbs[i][t]);
            }
        }
        double[][] residuals = new double[n][width];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                residuals[i][t] = returns[i][t] - oldValues[i][t];
            }
        }
        double returnVariance = Whiten.moments(returns, lengths).variance();
        double explained = returnVariance == 0 ? Double.NaN
                : 1 - Whiten.moments(residuals, lengths).variance() / returnVariance;
        double scoreMean = Arrays.stream(scores).average().orElse(Double.NaN);
        double scoreStd = Math.sqrt(Arrays.stream(scores).map(s -> (s - scoreMean) * (s - scoreMean)).average().orElse(0));
        double entropy = Whiten.moments(entropies, lengths).mean();
        klController = klController.update(klK1, n);
        step++;
        recentScores.addLast(scoreMean);
        while (recentScores.size() > config.rewardWindow()) {
            recentScores.removeFirst();
        }
        double rawMean = 0;
        for (float r : raw) {
            rawMean += r / (double) n;
        }
        return new StepResult(step, scoreMean, scoreStd, rawMean, klK1, klK3, beta, nonScore / n, entropy,
                stats.mean(0), stats.mean(1), stats.mean(2), stats.mean(3), stats.mean(4), explained,
                (double) tokens / n, (double) withEos / n, firstRatioDeviation, firstApproxKl, gradNorm, tokens,
                (System.nanoTime() - t0) / 1e9, generationSeconds);
    }

    /** Response-aligned (B, R) arrays of one forward; under a collector they carry gradients. */
    private record Forward(NDArray logProbs, NDArray values, NDArray entropy) {
    }

    private Forward forward(LanguageModel model, Rollout rollout, int[] rows, NDManager scope, boolean withValues) {
        List<int[]> sequences = new ArrayList<>(rows.length);
        for (int r : rows) {
            sequences.add(rollout.sequences().get(r));
        }
        SequenceBatch batch = SequenceBatch.of(sequences, padId, SequenceBatch.Side.LEFT, model.config());
        int length = batch.length();
        NDArray hidden = batch.hiddenStates(model.decoder(), scope);                          // (B, L, C)
        NDArray logits = model.decoder().logits(hidden);                                     // (B, L, V)
        long[] next = new long[rows.length * length];
        long[] columns = new long[rows.length * rollout.width()];
        for (int b = 0; b < rows.length; b++) {
            for (int t = 0; t < length; t++) {
                next[b * length + t] = batch.ids()[b * length + Math.min(t + 1, length - 1)];
            }
            // response token j sits at offset + promptLength + j; its log-prob is read one column left
            int offset = length - sequences.get(b).length;
            for (int j = 0; j < rollout.lengths()[rows[b]]; j++) {
                columns[b * rollout.width() + j] = offset + rollout.promptLengths()[rows[b]] + j - 1;
            }
        }
        NDArray index = scope.create(columns, new Shape(rows.length, rollout.width()));          // (B, R)
        NDArray logProbs = TokenLogProbs.selected(logits, scope.create(next, new Shape(rows.length, length)),
                config.temperature()).gather(index, 1);                                      // (B, R)
        if (!withValues) {
            return new Forward(logProbs, null, null);
        }
        NDArray values = valueHead.perToken(hidden).gather(index, 1);                        // (B, R)
        NDArray entropy = TokenLogProbs.entropy(logits, config.temperature()).gather(index, 1);
        return new Forward(logProbs, values, entropy);
    }

    /** Copies the real tokens of each row into {@code into}; the rest get the sentinel. */
    private static void copyRows(NDArray x, int[] rows, Rollout rollout, double[][] into) {
        float[] values = x.toFloatArray();
        for (int b = 0; b < rows.length; b++) {
            for (int j = 0; j < rollout.width(); j++) {
                into[rows[b]][j] = j < rollout.lengths()[rows[b]] ? values[b * rollout.width() + j] : SENTINEL;
            }
        }
    }

    private static float[] pick(double[][] x, int[] rows) {
        int width = x[rows[0]].length;
        float[] out = new float[rows.length * width];
        for (int b = 0; b < rows.length; b++) {
            for (int j = 0; j < width; j++) {
                out[b * width + j] = (float) x[rows[b]][j];
            }
        }
        return out;
    }

    private static float[] maskOf(int[] rows, Rollout rollout) {
        float[] mask = new float[rows.length * rollout.width()];
        for (int b = 0; b < rows.length; b++) {
            Arrays.fill(mask, b * rollout.width(), b * rollout.width() + rollout.lengths()[rows[b]], 1f);
        }
        return mask;
    }

    /** Step s's prompts: pass e over the prompts visits them in a permutation seeded by (seed, e). */
    private List<int[]> promptsFor(long s) {
        List<int[]> out = new ArrayList<>(config.batchSize());
        for (int k = 0; k < config.batchSize(); k++) {
            long i = s * config.batchSize() + k;
            long pass = i / prompts.size();
            int[] order = Shuffling.permutation(prompts.size(), new SplittableRandom(config.seed() * 7919 + pass));
            out.add(prompts.get(order[(int) (i % prompts.size())]));
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }

    /** Means over minibatches of policy loss, value loss, approx-KL, clip fraction, value clip fraction. */
    private static final class Accumulator {
        private final double[] sums = new double[5];
        private int count;

        void add(PpoLoss.Terms t) {
            sums[0] += t.policyLoss().getFloat();
            sums[1] += t.valueLoss().getFloat();
            sums[2] += t.approxKl().getFloat();
            sums[3] += t.clipFraction().getFloat();
            sums[4] += t.valueClipFraction().getFloat();
            count++;
        }

        double mean(int i) {
            return sums[i] / count;
        }
    }

    /**
     * Writes the trainable weights (adapters or policy, and the value head), AdamW's moments, and
     * ppo.json (PPO step, β, the recent scores the target-reward window reads). Everything random is
     * seeded by (seed, step), so nothing else is needed to continue exactly.
     */
    public void saveState(Path dir) throws IOException {
        TrainerState.save(dir, trainable, optimizer);
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("kl_coefficient", klController.coefficient());
        JsonArray recent = new JsonArray();
        recentScores.forEach(recent::add);
        o.add("recent_scores", recent);
        AtomicFiles.writeString(dir.resolve("ppo.json"), o + "\n");
    }

    public void loadState(Path dir) throws IOException {
        TrainerState.load(dir, trainable, optimizer);
        Path file = dir.resolve("ppo.json");
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            step = o.get("step").getAsLong();
            double beta = o.get("kl_coefficient").getAsDouble();
            klController = klController.withCoefficient(beta);
            recentScores.clear();
            o.getAsJsonArray("recent_scores").forEach(e -> recentScores.addLast(e.getAsDouble()));
        } catch (RuntimeException e) {
            throw new IOException(file + ": expected {\"step\", \"kl_coefficient\", \"recent_scores\"} (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        optimizer.close();
        for (Parameter p : trainable) {
            p.array().setRequiresGradient(false);
        }
    }
}
