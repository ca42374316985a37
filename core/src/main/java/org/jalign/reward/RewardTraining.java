package org.jalign.reward;

import com.google.gson.JsonObject;
import org.jalign.data.Shuffling;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.RunDirectory;
import org.jalign.run.TrainingRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Reward-model training (Ouyang et al. 2022 §3.5; TRL's {@code RewardTrainer}, OpenRLHF's
 * {@code train_rm}). Steps:
 * <ol>
 *   <li>The model: a causal LM gets a fresh reward head (a one-label sequence classifier keeps its
 *       own); LoRA adapters when asked (the head always trains).</li>
 *   <li>The data: pairs or ranked JSONL, validated line by line, split by prompt, encoded with the
 *       model's chat template (else {@code [BOS] prompt completion EOS}) and cut to the maximum
 *       length keeping each completion's end ({@link RewardEncoder}).</li>
 *   <li>The run directory and its manifest (config, seed, versions, data and weights hashes), only
 *       once model and data check out.</li>
 *   <li>Training in {@link TrainingRun}: epochs of comparisons shuffled per epoch by (seed,
 *       epoch); every step is a pure function of its index, so a resumed run repeats exactly what
 *       an uninterrupted one does;
 *       AdamW with linear warmup and decay, clipping and accumulation ({@link RewardTrainer});
 *       metrics per step, held-out loss/accuracy every {@code evalEvery} steps and at the end;
 *       checkpoints staged and renamed.</li>
 *   <li>Normalisation: gain and bias so the rewards of the distinct training completions have mean
 *       0 and standard deviation 1.</li>
 *   <li>final/: a Hugging Face sequence classifier + reward_config.json; with LoRA the adapter,
 *       score.safetensors and reward_config.json (and, with {@code mergeLora}, the merged
 *       classifier in final/merged).</li>
 * </ol>
 */
public final class RewardTraining {

    /**
     * One reward-model run. Defaults (in {@code jalign reward train}) and where they come from:
     * one epoch (InstructGPT: the reward model overfits after one), lr 1e-5 (OpenRLHF's and
     * InstructGPT's 9e-6 for full fine-tunes; LoRA wants 1e-4 to 1e-3), batch 8, max length 1024
     * (TRL's), warmup 3% then linear decay, no weight decay, clip 1.0, no margin, no centring.
     *
     * @param useMargin         put each pairs line's {@code margin} in the loss (Llama 2); off by default
     *                          because {@code feedback export} writes rank differences, not calibrated margins
     * @param centerCoefficient TRL's {@code center_rewards_coefficient} (0 = off; TRL suggests 0.01)
     * @param mergeLora         with LoRA, also write the merged classifier to final/merged
     */
    public record Config(Path model, Path data, PreferenceFormat format, boolean useMargin, LoraConfig lora,
                         int maxLength, double evalFraction, int batchSize, int epochs, double learningRate,
                         double warmupRatio, double weightDecay, double maxGradNorm, int accumulation,
                         double centerCoefficient, long seed, long checkpointEvery, long evalEvery, boolean mergeLora) {
        public Config {
            if (model == null || data == null || format == null) {
                throw new IllegalArgumentException("reward training needs --model, --data and a --format");
            }
            if (batchSize < 1 || epochs < 1 || accumulation < 1) {
                throw new IllegalArgumentException("--batch-size, --epochs and --accumulation must be >= 1, got "
                        + batchSize + ", " + epochs + ", " + accumulation);
            }
            if (maxLength < 2) {
                throw new IllegalArgumentException("--max-length must be >= 2, got " + maxLength);
            }
            TrainingRun.checkHyperparameters(evalFraction, learningRate, warmupRatio, weightDecay, maxGradNorm);
            if (!(centerCoefficient >= 0) || Double.isInfinite(centerCoefficient)) {
                throw new IllegalArgumentException("--center-rewards-coefficient must be >= 0, got " + centerCoefficient);
            }
            if (checkpointEvery < 0 || evalEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every and --eval-every must be >= 0");
            }
            if (mergeLora && lora == null) {
                throw new IllegalArgumentException("--merge needs --lora");
            }
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("model", model.toString());
            o.addProperty("data", data.toString());
            o.addProperty("format", format.name().toLowerCase(java.util.Locale.ROOT));
            o.addProperty("useMargin", useMargin);
            o.addProperty("lora", lora == null ? null : lora.toString());
            o.addProperty("maxLength", maxLength);
            o.addProperty("evalFraction", evalFraction);
            o.addProperty("batchSize", batchSize);
            o.addProperty("epochs", epochs);
            o.addProperty("learningRate", learningRate);
            o.addProperty("warmupRatio", warmupRatio);
            o.addProperty("weightDecay", weightDecay);
            o.addProperty("maxGradNorm", maxGradNorm);
            o.addProperty("accumulation", accumulation);
            o.addProperty("centerRewardsCoefficient", centerCoefficient);
            o.addProperty("seed", seed);
            return o;
        }
    }

    /**
     * What step 2 made of the data.
     *
     * @param lines              preference lines read
     * @param skippedWithoutPairs ranked lines whose completions were all tied or flagged
     * @param promptsCut         sequences that lost prompt tokens to the maximum length
     * @param completionsCut     sequences that lost the beginning of their completion too
     */
    public record Counts(int lines, int skippedWithoutPairs, int promptsCut, int completionsCut) {
    }

    /** How the run ended. */
    public record Result(long steps, long resumedFrom, double lastLoss, double lastAccuracy, double evalLoss,
                         double evalAccuracy, int trainComparisons, int evalComparisons, Counts counts,
                         RewardNormalisation normalisation) {
    }

    private RewardTraining() {
    }

    public static Result run(Config c, Path out, boolean resume, boolean quiet, PrintWriter err) throws IOException {
        // 1. the model
        try (RewardModel model = loadModel(c)) {
            LanguageModel lm = model.languageModel();
            TextTokenizer tokenizer = lm.tokenizer().orElseThrow(() -> new IOException(
                    "--model " + c.model() + " has no tokenizer.json; reward training reads text"));
            int maxLength = c.maxLength();
            if (lm.config().architecture() == Architecture.GPT2 && maxLength > lm.config().maxPositions()) {
                maxLength = lm.config().maxPositions();   // learned positions end there
                if (!quiet) {
                    err.printf("reward: --max-length %d exceeds the model's n_positions; using %d%n", c.maxLength(), maxLength);
                }
            }
            model.setMaxLength(maxLength);
            if (c.lora() != null) {
                lm.addAdapters(c.lora(), c.seed());
            }
            // 2. the data
            RewardEncoder encoder = RewardEncoder.forModel(tokenizer, c.model(), lm.specialTokens(), maxLength);
            PreferenceDataset.Read read = PreferenceDataset.read(c.data(), c.format(), c.useMargin());
            if (read.examples().isEmpty()) {
                throw new IOException(c.data() + ": no preference with a pair to learn from (" + read.skippedWithoutPairs()
                        + " ranked lines were all ties or flags)");
            }
            PreferenceDataset.Split split = PreferenceDataset.split(read.examples(), c.evalFraction(), c.seed());
            int[] cuts = new int[2];
            List<Comparison> train = encode(split.train(), encoder, cuts);
            List<Comparison> eval = encode(split.eval(), encoder, cuts);
            Counts counts = new Counts(read.examples().size() + read.skippedWithoutPairs(), read.skippedWithoutPairs(),
                    cuts[0], cuts[1]);
            if (!quiet) {
                err.printf("reward: %d training and %d eval comparisons (%s)%s%n", train.size(), eval.size(), counts,
                        encoder.usesChatTemplate() ? ", rendered with the model's chat template" : "");
            }
            // 3. the run directory, once model and data are known good
            RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("reward train", c.toJson(), c.seed(),
                    Map.of("data", c.data(), "model_weights", weightsFile(c.model()))));
            int perStep = c.batchSize() * c.accumulation();
            long stepsPerEpoch = (train.size() + perStep - 1) / perStep;
            long steps = stepsPerEpoch * c.epochs();
            TrainingConfig training = new TrainingConfig(steps, (long) Math.floor(c.warmupRatio() * steps),
                    TrainingConfig.Schedule.LINEAR, 0.0,
                    new AdamWConfig(c.learningRate(), 0.9, 0.999, 1e-8, c.weightDecay()), c.maxGradNorm(),
                    c.accumulation());
            // 4. train
            TrainingRun.Outcome<RewardTrainer.StepResult, RewardTrainer.Evaluation> outcome;
            RewardTrainer.Evaluation evaluation;
            try (RewardTrainer trainer = new RewardTrainer(model, training, c.centerCoefficient())) {
                outcome = TrainingRun.run(dir, trainer, step -> batchesFor(step, train, c, stepsPerEpoch),
                        eval.isEmpty() ? Optional.empty() : Optional.of(() -> trainer.evaluate(eval, c.batchSize())),
                        new TrainingRun.Options(steps, c.seed(), c.checkpointEvery(), 2, c.evalEvery(), quiet), err);
                evaluation = outcome.lastEvaluation().orElse(null);
                if (evaluation == null && !eval.isEmpty()) {
                    evaluation = trainer.evaluate(eval, c.batchSize());   // resumed after the last step
                }
            }
            long resumedFrom = outcome.resumedFrom();
            RewardTrainer.StepResult last = outcome.lastStep().orElse(null);
            // 5. normalisation over the distinct training completions
            RewardNormalisation normalisation = RewardNormalisation.fit(toDoubles(model.rawRewards(distinct(train))));
            model.setNormalisation(normalisation);
            // 6. final/
            writeFinal(model, c, dir.finalDir(), maxLength, normalisation);
            return new Result(steps, resumedFrom, last == null ? Double.NaN : last.loss(),
                    last == null ? Double.NaN : last.accuracy(), evaluation == null ? Double.NaN : evaluation.loss(),
                    evaluation == null ? Double.NaN : evaluation.accuracy(), train.size(), eval.size(), counts,
                    normalisation);
        }
    }

    private static RewardModel loadModel(Config c) throws IOException {
        if (!Files.isDirectory(c.model())) {
            throw new IOException("model directory " + c.model() + " does not exist or is not a directory");
        }
        if (SequenceClassifierFiles.isSequenceClassifier(c.model())) {
            RewardModel model = RewardModel.load(c.model());
            model.setNormalisation(RewardNormalisation.identity());   // refitted after training
            return model;
        }
        return RewardModel.create(LanguageModel.load(c.model()), c.seed(), c.model());
    }

    /** Step 2's encoding: one comparison per example; counts[0] += prompts cut, counts[1] += completions cut. */
    static List<Comparison> encode(List<PreferenceExample> examples, RewardEncoder encoder, int[] counts) {
        List<Comparison> out = new ArrayList<>(examples.size());
        for (PreferenceExample e : examples) {
            List<int[]> sequences = new ArrayList<>();
            for (String completion : e.completions()) {
                RewardEncoder.Encoded encoded = encoder.encode(e.prompt(), completion, e.source(), e.lineNumber());
                counts[0] += encoded.promptCut() ? 1 : 0;
                counts[1] += encoded.completionCut() ? 1 : 0;
                sequences.add(encoded.tokens());
            }
            out.add(new Comparison(sequences, e.pairs()));
        }
        return out;
    }

    /** The micro-batches of {@code step}: epoch e visits the comparisons in a permutation seeded by (seed, e). */
    static List<List<Comparison>> batchesFor(long step, List<Comparison> train, Config c, long stepsPerEpoch) {
        long epoch = step / stepsPerEpoch;
        int[] order = Shuffling.permutation(train.size(), new SplittableRandom(c.seed() * 31 + epoch));
        int first = (int) ((step % stepsPerEpoch) * c.batchSize() * c.accumulation());
        List<List<Comparison>> micro = new ArrayList<>();
        for (int k = 0; k < c.accumulation(); k++) {
            int from = first + k * c.batchSize();
            if (from >= train.size()) {
                break;
            }
            List<Comparison> batch = new ArrayList<>();
            for (int i = from; i < Math.min(train.size(), from + c.batchSize()); i++) {
                batch.add(train.get(order[i]));
            }
            micro.add(batch);
        }
        return micro;
    }

    /** Every training sequence once (exported pairs repeat a completion in up to K−1 pairs). */
    private static List<int[]> distinct(List<Comparison> comparisons) {
        Set<List<Integer>> seen = new HashSet<>();
        List<int[]> out = new ArrayList<>();
        for (Comparison c : comparisons) {
            for (int[] s : c.sequences()) {
                if (seen.add(Arrays.stream(s).boxed().toList())) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void writeFinal(RewardModel model, Config c, Path finalDir, int maxLength,
                                   RewardNormalisation normalisation) throws IOException {
        JsonObject extra = new JsonObject();
        extra.addProperty("normalisation", "gain·r + bias: mean 0, std 1 over the distinct training completions");
        RewardModel.RewardConfig settings = new RewardModel.RewardConfig(normalisation, maxLength,
                c.model().toAbsolutePath().normalize().toString(), extra);
        LanguageModel lm = model.languageModel();
        if (c.lora() == null) {
            SequenceClassifierFiles.write(finalDir, lm, model.scoreMatrix(), List.of("reward"), c.model(),
                    Map.of(SequenceClassifierFiles.REWARD_CONFIG, settings.toJson()));
            return;
        }
        // LoRA: the adapter and the head beside it; loads with RewardModel.load onto base_model
        Files.createDirectories(finalDir);
        lm.saveAdapters(finalDir);
        Path head = finalDir.resolve("score.safetensors");
        model.head().save(head, RewardModel.HEAD);
        Path settingsFile = finalDir.resolve(SequenceClassifierFiles.REWARD_CONFIG);
        Path tmp = finalDir.resolve(SequenceClassifierFiles.REWARD_CONFIG + ".tmp");
        Files.writeString(tmp, settings.toJson());
        Files.move(tmp, settingsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (c.mergeLora()) {
            lm.mergeAdapters();
            SequenceClassifierFiles.write(finalDir.resolve("merged"), lm, model.scoreMatrix(), List.of("reward"),
                    c.model(), Map.of(SequenceClassifierFiles.REWARD_CONFIG, settings.toJson()));
        }
    }

    private static Path weightsFile(Path model) {
        Path single = model.resolve("model.safetensors");
        return Files.exists(single) ? single : model.resolve("model.safetensors.index.json");
    }
}
