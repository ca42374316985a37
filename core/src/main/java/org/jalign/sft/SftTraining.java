package org.jalign.sft;

import com.google.gson.JsonObject;
import org.jalign.data.ChatTemplate;
import org.jalign.data.Shuffling;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.train.CausalLmTrainer;
import org.jalign.lm.train.TokenBatch;
import org.jalign.lm.train.TrainingConfig;
import org.jalign.run.RunDirectory;
import org.jalign.run.TrainingRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Supervised fine-tuning. Steps: 1 model (and LoRA adapters when asked), 2 examples read,
 * encoded with the model's chat template and split (loss on completion / assistant tokens only),
 * 3 run directory and manifest, 4 {@link TrainingRun} over epochs of shuffled rows, 5 final/:
 * the full model, or the PEFT adapter (plus the merged model with {@code merge}).
 */
public final class SftTraining {

    /**
     * @param lora       adapters to train instead of every weight, or null
     * @param epochs     passes over the training rows (the step count follows from it)
     * @param mergeLora  with LoRA, also save the merged model in final/merged
     */
    public record Config(Path model, Path data, LoraConfig lora, SftDataOptions dataOptions, int batchSize,
                         int epochs, double learningRate, double warmupRatio, double weightDecay, double maxGradNorm,
                         int accumulation, long seed, long checkpointEvery, long evalEvery, boolean mergeLora) {
        public Config {
            if (batchSize < 1 || epochs < 1 || accumulation < 1) {
                throw new IllegalArgumentException("--batch-size, --epochs and --accumulation must be >= 1");
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("--lr must be > 0, got " + learningRate);
            }
            if (!(warmupRatio >= 0 && warmupRatio < 1)) {
                throw new IllegalArgumentException("--warmup-ratio must be in [0, 1), got " + warmupRatio);
            }
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("model", model.toString());
            o.addProperty("data", data.toString());
            o.addProperty("lora", lora == null ? null : lora.toString());
            o.addProperty("maxLength", dataOptions.maxLength());
            o.addProperty("packing", dataOptions.packing());
            o.addProperty("evalFraction", dataOptions.evalFraction());
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

    /** What the run did. */
    public record Result(TrainingRun.Result run, SftDataset.Counts counts, int trainRows, int evalRows) {
    }

    private SftTraining() {
    }

    public static Result run(Config c, Path out, boolean resume, boolean quiet, PrintWriter err) throws IOException {
        // 1. the model
        try (LanguageModel model = LanguageModel.load(c.model())) {
            TextTokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IOException(
                    "--model " + c.model() + " has no tokenizer.json; SFT needs text"));
            if (c.lora() != null) {
                model.addAdapters(c.lora(), c.seed());
            }
            // 2. the data
            int bos = model.specialTokens().bosId();
            if (model.specialTokens().eosIds().isEmpty()) {
                throw new IOException("--model " + c.model() + " names no EOS token; SFT needs one so completions end");
            }
            int eos = model.specialTokens().eosIds().get(0);
            String bosText = bos >= 0 ? tokenizer.decode(new int[] {bos}, false) : "";
            String eosText = tokenizer.decode(new int[] {eos}, false);
            SftEncoder encoder = new SftEncoder(tokenizer, ChatTemplate.forModel(c.model(), bosText, eosText), bos, eos);
            SftDataset.Prepared data = SftDataset.prepare(SftDataset.read(c.data()), encoder,
                    c.dataOptions().withSeed(c.seed()));
            List<SftRow> train = data.train();
            if (train.isEmpty()) {
                throw new IOException(c.data() + ": no training example fits --max-length " + c.dataOptions().maxLength()
                        + " (" + data.counts() + ")");
            }
            if (!quiet) {
                err.printf("sft: %d training rows, %d eval rows (%s)%n", train.size(), data.eval().size(), data.counts());
            }
            // 3. the run directory, only once model and data are known good (a resumed run must have
            // the same settings and inputs); then the schedule: whole epochs of shuffled rows
            RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("sft", c.toJson(), c.seed(),
                    Map.of("data", c.data(), "model_weights", weightsFile(c.model()))));
            int rowsPerStep = c.batchSize() * c.accumulation();
            long stepsPerEpoch = (train.size() + rowsPerStep - 1) / rowsPerStep;
            long steps = stepsPerEpoch * c.epochs();
            TrainingConfig training = new TrainingConfig(steps, (long) Math.floor(c.warmupRatio() * steps),
                    TrainingConfig.Schedule.LINEAR, 0.0,
                    new AdamWConfig(c.learningRate(), 0.9, 0.999, 1e-8, c.weightDecay()), c.maxGradNorm(),
                    c.accumulation());
            List<TokenBatch> eval = new ArrayList<>();
            for (int from = 0; from < data.eval().size(); from += c.batchSize()) {
                eval.add(SftRow.batch(data.eval().subList(from, Math.min(data.eval().size(), from + c.batchSize()))));
            }
            // 4. train
            TrainingRun.Result result;
            try (CausalLmTrainer trainer = new CausalLmTrainer(model, training)) {
                result = TrainingRun.run(dir, trainer, step -> batchesFor(step, train, c, stepsPerEpoch),
                        eval.isEmpty() ? Optional.empty() : Optional.of(eval),
                        new TrainingRun.Options(steps, c.seed(), c.checkpointEvery(), 2, c.evalEvery(), quiet), err);
            }
            // 5. final/
            if (c.lora() != null) {
                model.saveAdapters(dir.finalDir());
                if (c.mergeLora()) {
                    model.mergeAdapters();
                    model.save(dir.finalDir().resolve("merged"));
                }
            } else {
                model.save(dir.finalDir());
            }
            return new Result(result, data.counts(), train.size(), data.eval().size());
        }
    }

    /** The micro-batches of {@code step}: epoch e visits the rows in a permutation seeded by (seed, e). */
    static List<TokenBatch> batchesFor(long step, List<SftRow> rows, Config c, long stepsPerEpoch) {
        long epoch = step / stepsPerEpoch;
        int[] order = Shuffling.permutation(rows.size(), new SplittableRandom(c.seed() * 31 + epoch));
        int rowsPerStep = c.batchSize() * c.accumulation();
        int first = (int) ((step % stepsPerEpoch) * rowsPerStep);
        List<TokenBatch> micro = new ArrayList<>();
        for (int k = 0; k < c.accumulation(); k++) {
            int from = first + k * c.batchSize();
            if (from >= rows.size()) {
                break;
            }
            List<SftRow> batch = new ArrayList<>();
            for (int i = from; i < Math.min(rows.size(), from + c.batchSize()); i++) {
                batch.add(rows.get(order[i]));
            }
            micro.add(SftRow.batch(batch));
        }
        return micro;
    }

    private static Path weightsFile(Path model) {
        Path single = model.resolve("model.safetensors");
        return java.nio.file.Files.exists(single) ? single : model.resolve("model.safetensors.index.json");
    }
}
