package org.jalign.dpo;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import org.jalign.data.Shuffling;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.ProgressBar;
import org.jalign.run.TrainingRun;
import org.jalign.run.RunDirectory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Preference optimisation of a policy without a reward model: DPO and its family
 * ({@link DpoLossType}). Steps:
 * <ol>
 *   <li>The policy: the model, with fresh LoRA adapters when asked. The reference: with LoRA, the
 *       same weights with the adapters switched off (no second copy); with full fine-tuning, a
 *       frozen copy loaded once; none for SimPO and ORPO.</li>
 *   <li>The data: pairs JSONL (unpaired for KTO), validated line by line, split by prompt,
 *       encoded like SFT with the loss on completion tokens only, cut as {@link DpoEncoder} says.</li>
 *   <li>The run directory and its manifest (config, seed, versions, data and weights hashes).</li>
 *   <li>With {@code precomputeReference}: every example's reference log-probs computed once and
 *       cached in the run directory (reference_log_probs.bin, reused on resume); the frozen
 *       copy is then closed, so full fine-tuning holds one model while training.</li>
 *   <li>Training: epochs of examples shuffled per epoch by (seed, epoch), every step a pure
 *       function of its index so a resumed run repeats an uninterrupted one bit for bit; AdamW with
 *       linear warmup and decay, clipping and accumulation ({@link DpoTrainer}); TRL's metrics per
 *       step, held-out metrics every {@code evalEvery} steps and at the end; checkpoints staged
 *       and renamed.</li>
 *   <li>final/: the model (Hugging Face layout), or the PEFT adapter (and, with {@code mergeLora},
 *       the merged model in final/merged).</li>
 * </ol>
 */
public final class DpoTraining {

    /** The cache of step 4 in the run directory. */
    static final String REFERENCE_CACHE = "reference_log_probs.bin";

    /**
     * One DPO run. Defaults (in {@code jalign dpo}) and where they come from: one epoch; lr 1e-6
     * (TRL's DPOConfig and Rafailov et al. 2023; LoRA wants ~5e-5 to 1e-4); batch 8; warmup 10%
     * then linear decay (alignment-handbook's Zephyr recipe); max length 1024 (TRL's
     * {@code max_length}); no weight decay; clip 1.0.
     *
     * @param precomputeReference TRL's {@code precompute_ref_log_probs}
     * @param mergeLora           with LoRA, also write the merged model to final/merged
     */
    public record Config(Path model, Path data, DpoObjective objective, LoraConfig lora, boolean mergeLora,
                         boolean precomputeReference, int maxLength, double evalFraction, int batchSize, int epochs,
                         double learningRate, double warmupRatio, double weightDecay, double maxGradNorm,
                         int accumulation, long seed, long checkpointEvery, long evalEvery) {
        public Config {
            if (model == null || data == null || objective == null) {
                throw new IllegalArgumentException("dpo needs --model, --data and a --loss");
            }
            if (batchSize < 1 || epochs < 1 || accumulation < 1) {
                throw new IllegalArgumentException("--batch-size, --epochs and --accumulation must be >= 1, got "
                        + batchSize + ", " + epochs + ", " + accumulation);
            }
            if (objective.type() == DpoLossType.KTO && batchSize < 2) {
                throw new IllegalArgumentException("--loss kto needs --batch-size >= 2: its KL baseline is a batch mean");
            }
            if (maxLength < 4) {
                throw new IllegalArgumentException("--max-length must be >= 4, got " + maxLength);
            }
            TrainingRun.checkHyperparameters(evalFraction, learningRate, warmupRatio, weightDecay, maxGradNorm);
            if (checkpointEvery < 0 || evalEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every and --eval-every must be >= 0");
            }
            if (mergeLora && lora == null) {
                throw new IllegalArgumentException("--merge needs --lora");
            }
            if (precomputeReference && !objective.type().usesReference()) {
                throw new IllegalArgumentException("--precompute-ref-log-probs: --loss " + objective.type().cliName()
                        + " uses no reference model");
            }
        }

        JsonObject toJson() {
            JsonObject o = objective.toJson();
            o.addProperty("model", model.toString());
            o.addProperty("data", data.toString());
            o.addProperty("lora", lora == null ? null : lora.toString());
            o.addProperty("mergeLora", mergeLora);
            o.addProperty("precomputeReference", precomputeReference);
            o.addProperty("maxLength", maxLength);
            o.addProperty("evalFraction", evalFraction);
            o.addProperty("batchSize", batchSize);
            o.addProperty("epochs", epochs);
            o.addProperty("learningRate", learningRate);
            o.addProperty("warmupRatio", warmupRatio);
            o.addProperty("weightDecay", weightDecay);
            o.addProperty("maxGradNorm", maxGradNorm);
            o.addProperty("accumulation", accumulation);
            o.addProperty("seed", seed);
            return o;
        }
    }

    /**
     * How the run ended: the last step's and the last evaluation's metrics (TRL's names) as
     * written to metrics.jsonl (the step's null when the run resumed after its last step; the
     * evaluation empty without eval data); wall seconds per step of this process, evaluations and
     * checkpoints included.
     */
    public record Result(long steps, long resumedFrom, JsonObject lastStep, Optional<JsonObject> evaluation,
                         int trainExamples, int evalExamples, int promptsCut, int completionsCut, double secondsPerStep) {
    }

    private DpoTraining() {
    }

    public static Result run(Config c, Path out, boolean resume, boolean quiet, PrintWriter err) throws IOException {
        DpoLossType type = c.objective().type();
        // 1. the policy (and, for full fine-tuning, the frozen reference below)
        try (LanguageModel policy = LanguageModel.load(c.model())) {
            TextTokenizer tokenizer = policy.tokenizer().orElseThrow(() -> new IOException(
                    "--model " + c.model() + " has no tokenizer.json; dpo reads text"));
            int maxLength = c.maxLength();
            if (policy.config().architecture() == Architecture.GPT2 && maxLength > policy.config().maxPositions()) {
                maxLength = policy.config().maxPositions();   // learned positions end there
            }
            if (c.lora() != null) {
                policy.addAdapters(c.lora(), c.seed());
            }
            // 2. the data
            DpoEncoder encoder = DpoEncoder.forModel(tokenizer, c.model(), policy.specialTokens(), maxLength);
            List<DpoData.Line> lines = type.paired() ? DpoData.readPairs(c.data()) : DpoData.readUnpaired(c.data());
            if (lines.isEmpty()) {
                throw new IOException(c.data() + ": no " + (type.paired() ? "pairs" : "unpaired") + " lines");
            }
            DpoData.Encoded data = DpoData.encode(lines, type.paired(), c.evalFraction(), c.seed(), encoder);
            List<DpoData.Example> train = data.train();
            List<DpoData.Example> eval = data.eval();
            if (!quiet) {
                err.printf("dpo (%s): %d training and %d eval examples; %d prompts and %d completions cut to %d tokens%s%n",
                        type.cliName(), train.size(), eval.size(), data.promptsCut(), data.completionsCut(), maxLength,
                        encoder.usesChatTemplate() ? "; rendered with the model's chat template" : "");
            }
            // 3. the run directory, once model and data are known good
            RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("dpo", c.toJson(), c.seed(),
                    Map.of("data", c.data(), "model_weights", weightsFile(c.model()))));
            // 4. the reference
            LanguageModel frozen = null;
            try {
                DpoTrainer.ReferenceLogProbs reference = null;
                if (type.usesReference()) {
                    if (c.lora() == null) {
                        frozen = LanguageModel.load(c.model());
                    }
                    reference = fromModel(c.lora() == null ? frozen : policy, c.lora() != null);
                    if (c.precomputeReference()) {
                        float[][] table = precomputed(dir.dir().resolve(REFERENCE_CACHE), reference, train, eval,
                                c.batchSize(), quiet, err);
                        reference = batch -> lookUp(table, batch);
                        if (frozen != null) {
                            frozen.close();
                            frozen = null;
                        }
                    }
                }
                // 5. train
                return train(c, dir, policy, reference, data, quiet, err);
            } finally {
                if (frozen != null) {
                    frozen.close();
                }
            }
        }
    }

    private static Result train(Config c, RunDirectory dir, LanguageModel policy,
                                DpoTrainer.ReferenceLogProbs reference, DpoData.Encoded data, boolean quiet,
                                PrintWriter err) throws IOException {
        List<DpoData.Example> train = data.train();
        List<DpoData.Example> eval = data.eval();
        int perStep = c.batchSize() * c.accumulation();
        long stepsPerEpoch = (train.size() + perStep - 1) / perStep;
        long steps = stepsPerEpoch * c.epochs();
        TrainingConfig training = new TrainingConfig(steps, (long) Math.floor(c.warmupRatio() * steps),
                TrainingConfig.Schedule.LINEAR, 0.0,
                new AdamWConfig(c.learningRate(), 0.9, 0.999, 1e-8, c.weightDecay()), c.maxGradNorm(), c.accumulation());
        TrainingRun.Outcome<DpoTrainer.StepResult, DpoTrainer.Evaluation> outcome;
        DpoTrainer.Evaluation evaluation;
        long t0 = System.nanoTime();
        try (DpoTrainer trainer = new DpoTrainer(policy, c.objective(), reference, training)) {
            outcome = TrainingRun.run(dir, trainer, step -> batchesFor(step, train, c, stepsPerEpoch),
                    eval.isEmpty() ? Optional.empty() : Optional.of(() -> trainer.evaluate(eval, c.batchSize())),
                    new TrainingRun.Options(steps, c.seed(), c.checkpointEvery(), 2, c.evalEvery(), quiet), err);
            evaluation = outcome.lastEvaluation().orElse(null);
            if (evaluation == null && !eval.isEmpty()) {
                evaluation = trainer.evaluate(eval, c.batchSize());   // resumed after the last step
            }
        }
        long stepped = steps - outcome.resumedFrom();
        double secondsPerStep = stepped == 0 ? Double.NaN : (System.nanoTime() - t0) / 1e9 / stepped;
        // 6. final/
        if (c.lora() != null) {
            policy.saveAdapters(dir.finalDir());
            if (c.mergeLora()) {
                policy.mergeAdapters();
                policy.save(dir.finalDir().resolve("merged"));
            }
        } else {
            policy.save(dir.finalDir());
        }
        return new Result(steps, outcome.resumedFrom(), outcome.lastStep().map(TrainingRun.Logged::logLine).orElse(null),
                Optional.ofNullable(evaluation).map(TrainingRun.Logged::logLine), train.size(), eval.size(),
                data.promptsCut(), data.completionsCut(), secondsPerStep);
    }

    /** Reference log-probs from {@code model}, with its adapters switched off when {@code adaptersOff}. */
    static DpoTrainer.ReferenceLogProbs fromModel(LanguageModel model, boolean adaptersOff) {
        return batch -> {
            List<DpoEncoder.Encoded> rows = new ArrayList<>(2 * batch.size());
            batch.forEach(e -> rows.add(e.first()));
            batch.forEach(e -> rows.add(e.second()));
            try (NDManager scope = model.decoder().manager().newSubManager();
                 AutoCloseable off = adaptersOff ? model.adaptersDisabled() : () -> { }) {
                return DpoTrainer.sequenceLogProbs(model, rows, scope).toFloatArray();
            } catch (Exception e) {
                throw new IllegalStateException("reference log-probs failed: " + e.getMessage(), e);
            }
        };
    }

    /** Step 4: the cache's table [example index][first, second], read back or computed and written atomically. */
    private static float[][] precomputed(Path file, DpoTrainer.ReferenceLogProbs reference, List<DpoData.Example> train,
                                         List<DpoData.Example> eval, int batchSize, boolean quiet, PrintWriter err)
            throws IOException {
        int n = train.size() + eval.size();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                if (data.readInt() == n) {
                    float[][] table = new float[n][2];
                    for (float[] row : table) {
                        row[0] = data.readFloat();
                        row[1] = data.readFloat();
                    }
                    return table;
                }
            }
        }
        List<DpoData.Example> all = new ArrayList<>(train);
        all.addAll(eval);
        float[][] table = new float[n][2];
        try (ProgressBar bar = new ProgressBar("reference", n, err, quiet)) {
            for (int from = 0; from < n; from += batchSize) {
                List<DpoData.Example> batch = all.subList(from, Math.min(n, from + batchSize));
                float[] values = reference.of(batch);
                for (int i = 0; i < batch.size(); i++) {
                    table[batch.get(i).index()][0] = values[i];
                    table[batch.get(i).index()][1] = values[batch.size() + i];
                }
                bar.advance(batch.size());
            }
        }
        Path tmp = file.resolveSibling(REFERENCE_CACHE + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream data = new DataOutputStream(os)) {
            data.writeInt(n);
            for (float[] row : table) {
                data.writeFloat(row[0]);
                data.writeFloat(row[1]);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return table;
    }

    private static float[] lookUp(float[][] table, List<DpoData.Example> batch) {
        float[] values = new float[2 * batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            values[i] = table[batch.get(i).index()][0];
            values[batch.size() + i] = table[batch.get(i).index()][1];
        }
        return values;
    }

    /** The micro-batches of {@code step}: epoch e visits the examples in a permutation seeded by (seed, e). */
    static List<List<DpoData.Example>> batchesFor(long step, List<DpoData.Example> train, Config c, long stepsPerEpoch) {
        long epoch = step / stepsPerEpoch;
        int[] order = Shuffling.permutation(train.size(), new SplittableRandom(c.seed() * 31 + epoch));
        int first = (int) ((step % stepsPerEpoch) * c.batchSize() * c.accumulation());
        List<List<DpoData.Example>> micro = new ArrayList<>();
        for (int k = 0; k < c.accumulation(); k++) {
            int from = first + k * c.batchSize();
            if (from >= train.size()) {
                break;
            }
            List<DpoData.Example> batch = new ArrayList<>();
            for (int i = from; i < Math.min(train.size(), from + c.batchSize()); i++) {
                batch.add(train.get(order[i]));
            }
            micro.add(batch);
        }
        return micro;
    }

    private static Path weightsFile(Path model) {
        Path single = model.resolve("model.safetensors");
        return Files.exists(single) ? single : model.resolve("model.safetensors.index.json");
    }
}
