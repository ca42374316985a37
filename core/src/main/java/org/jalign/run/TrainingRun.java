package org.jalign.run;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import org.jalign.lm.train.CausalLmTrainer;
import org.jalign.lm.train.TokenBatch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The loop every training command runs inside a {@link RunDirectory}, whatever it trains (a causal
 * LM, a reward model, a DPO policy: anything that is a {@link Trainer}).
 *
 * <ol>
 *   <li>Resume: when the run directory holds a checkpoint, load the trainer state from the newest
 *       one and drop metrics logged after it.</li>
 *   <li>Step: the batches of step s come from a pure function of s, so a resumed run sees exactly
 *       the data the interrupted one would have; the engine's RNG is reseeded from (seed, s) so
 *       dropout is reproducible too.</li>
 *   <li>Log a metrics line per step ({@code step}, then the trainer's {@link Logged#logLine});
 *       evaluate every {@code evalEvery} steps and at the end, adding the evaluation's line.</li>
 *   <li>Checkpoint every {@code checkpointEvery} steps (staged, then renamed into place).</li>
 *   <li>Finish: a last checkpoint, then the caller saves the model into final/.</li>
 * </ol>
 */
public final class TrainingRun {

    /** Something a step or an evaluation measured, as the fields of a metrics line, in order. */
    public interface Logged {
        JsonObject logLine();
    }

    /**
     * One optimizer step at a time on batches of type {@code B}, reporting {@code R}; its state
     * (weights being trained, optimizer) saved and loaded so that a loaded trainer continues bit
     * for bit.
     */
    public interface Trainer<B, R extends Logged> {
        /** Optimizer steps taken (a resumed trainer counts those before its checkpoint). */
        long step();

        R step(B batches);

        void saveState(Path dir) throws IOException;

        void loadState(Path dir) throws IOException;
    }

    /** The micro-batches of one optimizer step of a causal LM; must depend on the step alone. */
    @FunctionalInterface
    public interface Batches {
        List<TokenBatch> forStep(long step);
    }

    /**
     * @param checkpointEvery steps between checkpoints (0 = only at the end)
     * @param keepCheckpoints how many checkpoints to keep
     * @param evalEvery       steps between evaluations (0 = only at the end, when eval data exist)
     */
    public record Options(long steps, long seed, long checkpointEvery, int keepCheckpoints, long evalEvery,
                          boolean quiet) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            }
            if (checkpointEvery < 0 || evalEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every and --eval-every must be >= 0");
            }
            if (keepCheckpoints < 1) {
                throw new IllegalArgumentException("--keep-checkpoints must be >= 1, got " + keepCheckpoints);
            }
        }
    }

    /**
     * How a run ended: the last step and evaluation this process saw (empty when it resumed after
     * the last step, or, for the evaluation, without eval data).
     */
    public record Outcome<R, E>(long steps, long resumedFrom, Optional<R> lastStep, Optional<E> lastEvaluation) {
    }

    /** How a causal-LM run ended. */
    public record Result(long steps, double lastLoss, double evalLoss, long resumedFrom) {
    }

    /**
     * The checks every preference trainer's config (reward, dpo) makes of its optimisation settings,
     * in this order, with the command line's option names in the messages.
     */
    public static void checkHyperparameters(double evalFraction, double learningRate, double warmupRatio,
                                            double weightDecay, double maxGradNorm) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("--eval-fraction must be in [0, 1), got " + evalFraction);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be > 0, got " + learningRate);
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new IllegalArgumentException("--warmup-ratio must be in [0, 1), got " + warmupRatio);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("--max-grad-norm must be > 0, got " + maxGradNorm);
        }
    }

    private TrainingRun() {
    }

    /** Steps 1–5 for any trainer; {@code evaluation} is empty when there are no eval data. */
    public static <B, R extends Logged, E extends Logged> Outcome<R, E> run(
            RunDirectory dir, Trainer<B, R> trainer, LongFunction<B> batches, Optional<Supplier<E>> evaluation,
            Options options, PrintWriter err) throws IOException {
        // 1. resume
        long resumedFrom = 0;
        Optional<Path> checkpoint = dir.latestCheckpoint();
        if (checkpoint.isPresent()) {
            trainer.loadState(checkpoint.get());
            resumedFrom = trainer.step();
            if (!options.quiet()) {
                err.println("resuming from " + checkpoint.get() + " (step " + resumedFrom + ")");
            }
        }
        R last = null;
        E evaluated = null;
        try (BufferedWriter metrics = dir.openMetrics(resumedFrom);
             ProgressBar bar = new ProgressBar("train", options.steps(), err, options.quiet())) {
            bar.advance(resumedFrom);
            for (long step = trainer.step(); step < options.steps(); step++) {
                // 2. one optimizer step on the data of this step
                Engine.getInstance().setRandomSeed((int) (options.seed() * 1_000_003L + step));
                last = trainer.step(batches.apply(step));
                long done = trainer.step();
                // 3. log and evaluate
                JsonObject line = new JsonObject();
                line.addProperty("step", done);
                addAll(line, last.logLine());
                if (evaluation.isPresent() && ((options.evalEvery() > 0 && done % options.evalEvery() == 0)
                        || done == options.steps())) {
                    evaluated = evaluation.get().get();
                    addAll(line, evaluated.logLine());
                }
                metrics.write(line + "\n");
                metrics.flush();
                bar.advance(1);
                // 4. checkpoint
                if (done == options.steps() || (options.checkpointEvery() > 0 && done % options.checkpointEvery() == 0)) {
                    Path staged = dir.stageCheckpoint();
                    trainer.saveState(staged);
                    dir.commitCheckpoint(staged, done, options.keepCheckpoints());
                }
            }
        }
        return new Outcome<>(trainer.step(), resumedFrom, Optional.ofNullable(last), Optional.ofNullable(evaluated));
    }

    private static void addAll(JsonObject line, JsonObject fields) {
        for (Map.Entry<String, com.google.gson.JsonElement> e : fields.entrySet()) {
            line.add(e.getKey(), e.getValue());
        }
    }

    /** A causal LM's step as a metrics line: loss, lr, grad_norm, tokens, tokens_per_s. */
    private record CausalLmStep(CausalLmTrainer.StepResult result) implements Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            line.addProperty("loss", result.loss());
            line.addProperty("lr", result.learningRate());
            line.addProperty("grad_norm", result.gradNorm());
            line.addProperty("tokens", result.tokens());
            line.addProperty("tokens_per_s", result.tokens() / result.seconds());
            return line;
        }
    }

    /** A causal LM's held-out loss and perplexity. */
    private record CausalLmEvaluation(double loss) implements Logged {
        @Override
        public JsonObject logLine() {
            JsonObject line = new JsonObject();
            line.addProperty("eval_loss", loss);
            line.addProperty("eval_perplexity", Math.exp(loss));
            return line;
        }
    }

    /** The loop for pretraining and SFT: {@link #run(RunDirectory, Trainer, LongFunction, Optional, Options, PrintWriter)} on a {@link CausalLmTrainer}. */
    public static Result run(RunDirectory dir, CausalLmTrainer trainer, Batches batches,
                             Optional<List<TokenBatch>> evalBatches, Options options, PrintWriter err)
            throws IOException {
        Trainer<List<TokenBatch>, CausalLmStep> adapted = new Trainer<>() {
            @Override
            public long step() {
                return trainer.step();
            }

            @Override
            public CausalLmStep step(List<TokenBatch> microBatches) {
                return new CausalLmStep(trainer.step(microBatches));
            }

            @Override
            public void saveState(Path d) throws IOException {
                trainer.saveState(d);
            }

            @Override
            public void loadState(Path d) throws IOException {
                trainer.loadState(d);
            }
        };
        Optional<Supplier<CausalLmEvaluation>> evaluation = evalBatches.map(
                eval -> () -> new CausalLmEvaluation(trainer.evaluate(eval)));
        Outcome<CausalLmStep, CausalLmEvaluation> o = run(dir, adapted, batches::forStep, evaluation, options, err);
        return new Result(o.steps(), o.lastStep().map(s -> s.result().loss()).orElse(Double.NaN),
                o.lastEvaluation().map(CausalLmEvaluation::loss).orElse(Double.NaN), o.resumedFrom());
    }
}
