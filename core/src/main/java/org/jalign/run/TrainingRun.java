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
import java.util.Optional;

/**
 * The loop every training command runs inside a {@link RunDirectory}.
 *
 * <ol>
 *   <li>Resume: when the run directory holds a checkpoint, load the trainer state from the newest
 *       one and drop metrics logged after it.</li>
 *   <li>Step: the batches of step s come from {@link Batches#forStep} (a pure function of s, so a
 *       resumed run sees exactly the data the interrupted one would have); the engine's RNG is
 *       reseeded from (seed, s) so dropout is reproducible too.</li>
 *   <li>Log a metrics line per step; evaluate every {@code evalEvery} steps.</li>
 *   <li>Checkpoint every {@code checkpointEvery} steps (staged, then renamed into place).</li>
 *   <li>Finish: a last checkpoint, then the caller saves the model into final/.</li>
 * </ol>
 */
public final class TrainingRun {

    /** The micro-batches of one optimizer step; must depend on the step alone. */
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

    /** How the run ended. */
    public record Result(long steps, double lastLoss, double evalLoss, long resumedFrom) {
    }

    private TrainingRun() {
    }

    public static Result run(RunDirectory dir, CausalLmTrainer trainer, Batches batches,
                             Optional<List<TokenBatch>> evalBatches, Options options, PrintWriter err)
            throws IOException {
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
        double lastLoss = Double.NaN;
        double evalLoss = Double.NaN;
        try (BufferedWriter metrics = dir.openMetrics(resumedFrom);
             ProgressBar bar = new ProgressBar("train", options.steps(), err, options.quiet())) {
            bar.advance(resumedFrom);
            for (long step = trainer.step(); step < options.steps(); step++) {
                // 2. one optimizer step on the data of this step
                Engine.getInstance().setRandomSeed((int) (options.seed() * 1_000_003L + step));
                CausalLmTrainer.StepResult r = trainer.step(batches.forStep(step));
                lastLoss = r.loss();
                // 3. log and evaluate
                JsonObject line = new JsonObject();
                line.addProperty("step", r.step());
                line.addProperty("loss", r.loss());
                line.addProperty("lr", r.learningRate());
                line.addProperty("grad_norm", r.gradNorm());
                line.addProperty("tokens", r.tokens());
                line.addProperty("tokens_per_s", r.tokens() / r.seconds());
                if (evalBatches.isPresent() && ((options.evalEvery() > 0 && r.step() % options.evalEvery() == 0)
                        || r.step() == options.steps())) {
                    evalLoss = trainer.evaluate(evalBatches.get());
                    line.addProperty("eval_loss", evalLoss);
                    line.addProperty("eval_perplexity", Math.exp(evalLoss));
                }
                metrics.write(line + "\n");
                metrics.flush();
                bar.advance(1);
                // 4. checkpoint
                boolean last = r.step() == options.steps();
                if (last || (options.checkpointEvery() > 0 && r.step() % options.checkpointEvery() == 0)) {
                    Path staged = dir.stageCheckpoint();
                    trainer.saveState(staged);
                    dir.commitCheckpoint(staged, r.step(), options.keepCheckpoints());
                }
            }
        }
        return new Result(trainer.step(), lastLoss, evalLoss, resumedFrom);
    }
}
