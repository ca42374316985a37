package org.jalign.demo;

import com.google.gson.JsonObject;
import org.jalign.data.AtomicFiles;
import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.dpo.DpoLossType;
import org.jalign.dpo.DpoObjective;
import org.jalign.dpo.DpoTraining;
import org.jalign.feedback.ConsensusMethod;
import org.jalign.feedback.FeedbackAnalysis;
import org.jalign.feedback.FeedbackExport;
import org.jalign.feedback.FeedbackReport;
import org.jalign.feedback.FeedbackSampling;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.FlagPolicy;
import org.jalign.feedback.StoredAssignment;
import org.jalign.feedback.StoredCompletion;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredPrompt;
import org.jalign.feedback.StoredRanking;
import org.jalign.feedback.StoredSet;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.tokenizer.BpeTrainer;
import org.jalign.lm.tokenizer.TokenizerJson;
import org.jalign.ppo.PpoConfig;
import org.jalign.ppo.PpoTraining;
import org.jalign.pretrain.Pretraining;
import org.jalign.pretrain.PretrainingConfig;
import org.jalign.reward.PreferenceFormat;
import org.jalign.reward.RewardTraining;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The demo's steps, each the public API of its stage, each written into its own place under the
 * output directory and skipped when a previous run already finished it (so an interrupted demo
 * resumes; the training stages resume from their own checkpoints):
 * <ol>
 *   <li>the world: corpus, train and eval prompts ({@link DemoWorld});</li>
 *   <li>a byte-level BPE tokenizer trained on the corpus;</li>
 *   <li>a tiny Llama pretrained on it: the base policy, kind and rude half and half;</li>
 *   <li>N completions of every train prompt, sampled into a feedback set (SQLite);</li>
 *   <li>the simulated panel ranks them through the store, as the web app would;</li>
 *   <li>agreement report, poor-labeler check and consensus pairs (N-choose-2, flagged labelers out);</li>
 *   <li>a reward model trained on the pairs;</li>
 *   <li>PPO with LoRA on the base, scored by the reward model, KL-penalised against the base (adapters off);</li>
 *   <li>DPO with LoRA on the same pairs, the alternative without a reward model;</li>
 *   <li>evaluation of base, PPO and DPO on the held-out prompts, and the report.</li>
 * </ol>
 */
public final class Demo {

    /** The numbers the demo prints at the end. */
    public record Result(Path out, double pretrainEvalLoss, double pairwiseAgreement, List<String> flaggedLabelers,
                         int pairs, double rewardEvalAccuracy, long ppoSteps, double ppoLastReward, double ppoLastKl,
                         double dpoEvalAccuracy, Evaluation evaluation) {
    }

    /** Step 10's summary: per policy, toxicity rate, criterion score and reward-model score, and KL to the base. */
    public record Evaluation(Map<String, PolicyScores> policies, Path report) {
    }

    /** One policy on the held-out prompts. */
    public record PolicyScores(double toxicRate, double criterionScore, double reward, double klToBase,
                               double winRateVsBase) {
    }

    static final String SET_NAME = "demo";
    private static final LoraConfig LORA = LoraConfig.parse(
            "r=8,alpha=16,targets=q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj");

    private final DemoConfig config;
    private final Path out;
    private final boolean quiet;
    private final PrintWriter err;

    private Demo(DemoConfig config, Path out, boolean quiet, PrintWriter err) {
        this.config = config;
        this.out = out;
        this.quiet = quiet;
        this.err = err;
    }

    public static Result run(DemoConfig config, Path out, boolean quiet, PrintWriter err) throws IOException {
        return new Demo(config, out, quiet, err).run();
    }

    private Result run() throws IOException {
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("demo_config.json"), config.toJson().toString());
        say("1/10 the world: %d documents, %d train and %d eval prompts", config.corpusDocuments(),
                config.trainPrompts(), config.evalPrompts());
        world();
        say("2/10 tokenizer");
        Path tokenizer = tokenizer();
        say("3/10 pretraining the base policy (%d steps)", config.pretrainSteps());
        Pretraining.run(pretrainingConfig(tokenizer), out.resolve("pretrain"), Files.exists(out.resolve("pretrain")),
                quiet, err);
        Path base = out.resolve("pretrain/final");
        double pretrainEvalLoss = lastMetric(out.resolve("pretrain/metrics.jsonl"), "eval_loss");
        say("4/10 sampling %d completions of each train prompt into the feedback set", config.completionsPerPrompt());
        Path db = out.resolve("feedback.db");
        try (FeedbackStore store = FeedbackStore.open(db)) {
            StoredSet set = feedbackSet(store, base);
            say("5/10 the simulated panel labels (%d careful labelers and one careless, %d per prompt)",
                    config.carefulLabelers(), config.overlap());
            label(store, set);
            say("6/10 agreement, poor labelers and consensus pairs");
            FeedbackAnalysis analysis = FeedbackAnalysis.of(store, set, new ConsensusMethod.Borda(), true);
            AtomicFiles.writeString(out.resolve("feedback_report.txt"), FeedbackReport.text(analysis));
            List<JsonObject> pairs = FeedbackExport.pairs(analysis, FlagPolicy.LOSES_TO_RANKED);
            writeJsonl(out.resolve("pairs.jsonl"), pairs);
            double agreement = analysis.agreement().pairwise().rate();
            List<String> flagged = List.copyOf(analysis.labelerReport().flaggedLabelers());
            say("   pairwise agreement %.2f; flagged: %s; %d pairs", agreement, flagged, pairs.size());

            say("7/10 reward model");
            RewardTraining.Result reward = RewardTraining.run(rewardConfig(base), out.resolve("reward"),
                    Files.exists(out.resolve("reward")), quiet, err);
            say("   held-out accuracy %.3f", reward.evalAccuracy());
            say("8/10 PPO against the reward model (at most %d steps)", config.ppoSteps());
            PpoTraining.Result ppo = PpoTraining.run(new PpoTraining.Config(base, out.resolve("prompts_train.jsonl"),
                    new PpoTraining.RewardSource.Model(out.resolve("reward/final")), LORA, true, 0, ppoConfig()),
                    out.resolve("ppo"), Files.exists(out.resolve("ppo")), quiet, err);
            say("9/10 DPO on the same pairs");
            DpoTraining.run(dpoConfig(base), out.resolve("dpo"), Files.exists(out.resolve("dpo")), quiet, err);
            double dpoAccuracy = lastMetric(out.resolve("dpo/metrics.jsonl"), "eval_rewards/accuracies");
            say("10/10 evaluation on the held-out prompts");
            Evaluation evaluation = DemoEvaluation.run(config, out, base, quiet, err);
            // the last PPO step from its log: a resumed run that had finished makes no step of its own
            Path ppoMetrics = out.resolve("ppo/metrics.jsonl");
            return new Result(out, pretrainEvalLoss, agreement, flagged, pairs.size(), reward.evalAccuracy(),
                    ppo.steps(), lastMetric(ppoMetrics, "reward_mean"), lastMetric(ppoMetrics, "kl"), dpoAccuracy,
                    evaluation);
        }
    }

    // 1. The world, written once: later steps and a resumed run read these files.
    private void world() throws IOException {
        if (Files.exists(out.resolve("prompts_eval.jsonl"))) {
            return;
        }
        Random random = new Random(config.seed());
        AtomicFiles.writeString(out.resolve("corpus.txt"), DemoWorld.corpus(config.corpusDocuments(), random));
        writePrompts(out.resolve("prompts_train.jsonl"), DemoWorld.prompts("train", config.trainPrompts(), random));
        writePrompts(out.resolve("prompts_eval.jsonl"), DemoWorld.prompts("eval", config.evalPrompts(), random));
    }

    // 2. A BPE vocabulary of the corpus.
    private Path tokenizer() throws IOException {
        Path dir = out.resolve("tokenizer");
        if (!Files.exists(dir.resolve(TokenizerJson.TOKENIZER_FILE))) {
            TokenizerJson.write(BpeTrainer.train(Files.readString(out.resolve("corpus.txt")),
                    BpeTrainer.Config.of(config.vocabSize())), dir);
        }
        return dir;
    }

    // 3. A tiny Llama: 2 layers of width 64, enough for this world's grammar.
    private PretrainingConfig pretrainingConfig(Path tokenizer) throws IOException {
        JsonObject model = new JsonObject();
        model.add("architectures", new com.google.gson.JsonArray());
        model.getAsJsonArray("architectures").add("LlamaForCausalLM");
        model.addProperty("model_type", "llama");
        model.addProperty("hidden_size", 64);
        model.addProperty("intermediate_size", 176);
        model.addProperty("num_hidden_layers", 2);
        model.addProperty("num_attention_heads", 4);
        model.addProperty("num_key_value_heads", 4);
        model.addProperty("vocab_size", config.vocabSize());
        model.addProperty("max_position_embeddings", 128);
        model.addProperty("rms_norm_eps", 1e-5);
        model.addProperty("rope_theta", 10000.0);
        model.addProperty("tie_word_embeddings", false);
        model.addProperty("bos_token_id", 1);
        model.addProperty("eos_token_id", 2);
        model.addProperty("pad_token_id", 0);
        Path file = out.resolve("model_config.json");
        AtomicFiles.writeString(file, model.toString());
        return new PretrainingConfig(file, tokenizer, out.resolve("corpus.txt"), config.pretrainSteps(), 16, 64, 3e-3,
                20, 0.1, 0.9, 0.95, 1.0, 1, config.seed(), 0.02, 0.05, 100, 0);
    }

    // 4. The feedback set: every train prompt with N sampled completions (once).
    private StoredSet feedbackSet(FeedbackStore store, Path base) throws IOException {
        Optional<StoredSet> existing = store.findSet(SET_NAME);
        if (existing.isPresent()) {
            return existing.get();
        }
        StoredSet set = store.createSet(new FeedbackStore.NewSet(SET_NAME, "custom", DemoWorld.CRITERION,
                DemoWorld.INSTRUCTIONS, config.overlap(), 0, config.seed()));
        List<FeedbackSampling.Prompt> prompts;
        try (JsonlReader reader = JsonlReader.open(out.resolve("prompts_train.jsonl"))) {
            prompts = FeedbackSampling.readPrompts(reader);
        }
        try (LanguageModel model = LanguageModel.load(base)) {
            List<int[]> ids = new ArrayList<>();
            for (FeedbackSampling.Prompt prompt : prompts) {
                ids.add(DemoEvaluation.promptIds(model, prompt.text()));
            }
            GenerationConfig sampling = GenerationConfig.sampling(config.maxNewTokens(), 1.0, config.seed())
                    .withNumReturnSequences(config.completionsPerPrompt());
            store.addPrompts(set.id(), FeedbackSampling.sample(model, prompts, ids, sampling, 16,
                    FeedbackSampling.modelId(base), done -> { }));
        }
        return set;
    }

    // 5. Each labeler works through its assignments in turn, as in the web app; one random stream per labeler.
    private void label(FeedbackStore store, StoredSet set) {
        Map<Long, StoredPrompt> prompts = new HashMap<>();
        store.prompts(set.id()).forEach(p -> prompts.put(p.id(), p));
        List<SimulatedLabeler> panel = SimulatedLabeler.panel(config.carefulLabelers(), config.slipRate());
        for (int l = 0; l < panel.size(); l++) {
            SimulatedLabeler labeler = panel.get(l);
            StoredLabeler stored = store.labelers().stream().filter(s -> s.name().equals(labeler.name())).findFirst()
                    .orElseGet(() -> store.createLabeler(labeler.name(), StoredLabeler.Role.LABELER).labeler());
            Random random = new Random(config.seed() * 1_000_003L + l);
            Optional<StoredAssignment> next;
            while ((next = store.nextAssignment(set.id(), stored.id())).isPresent()) {
                StoredPrompt prompt = prompts.get(next.get().promptId());
                List<String> texts = prompt.completions().stream().map(StoredCompletion::text).toList();
                int[] ranks = labeler.rank(texts, DemoWorld.topicOf(prompt.text()), random);
                Map<Long, Integer> ranked = new HashMap<>();
                List<Long> flagged = new ArrayList<>();
                for (int c = 0; c < ranks.length; c++) {
                    long id = prompt.completions().get(c).id();
                    if (ranks[c] == SimulatedLabeler.FLAGGED) {
                        flagged.add(id);
                    } else {
                        ranked.put(id, ranks[c]);
                    }
                }
                store.submitLabel(stored.id(), new FeedbackStore.LabelSubmission(prompt.id(),
                        next.get().instructionsVersion(), StoredRanking.of(ranked, flagged), null));
            }
        }
    }

    // 7. Full fine-tuning of the tiny base with a scalar head; lr as for small models (Stiennon et al. use 1.5e-5 at 1B+).
    private RewardTraining.Config rewardConfig(Path base) {
        return new RewardTraining.Config(base, out.resolve("pairs.jsonl"), PreferenceFormat.PAIRS, false, null, 128, 0.1,
                16, config.rewardEpochs(), 1e-3, 0.1, 0.0, 1.0, 1, 0.0, config.seed(), 0, 0, false);
    }

    // 8. LoRA PPO; β fixed at 0.2 (TRL's initial value) so the KL penalty visibly holds the policy near the base.
    private PpoConfig ppoConfig() {
        return new PpoConfig(config.ppoSteps(), Double.NaN, 10, 16, 1, 16, 4, 2e-3, 1e-5, 1.0, 0.2, Double.NaN,
                10000, 1.0, 0.95, 0.2, 0.2, 0.1, 0.0, config.maxNewTokens(), 1.0, 0, 1.0, Double.NaN, Double.NaN,
                false, config.seed());
    }

    // 9. LoRA DPO (sigmoid loss, β 0.1), at the config's learning rate (see DemoConfig).
    private DpoTraining.Config dpoConfig(Path base) {
        return new DpoTraining.Config(base, out.resolve("pairs.jsonl"), DpoObjective.defaults(DpoLossType.SIGMOID), LORA,
                true, true, 128, 0.1, 16, config.dpoEpochs(), config.dpoLearningRate(), 0.1, 0.0, 1.0, 1, config.seed(),
                0, 0);
    }

    private static void writePrompts(Path file, List<DemoWorld.Prompt> prompts) throws IOException {
        List<JsonObject> lines = new ArrayList<>();
        for (DemoWorld.Prompt p : prompts) {
            JsonObject o = new JsonObject();
            o.addProperty("prompt_id", p.id());
            o.addProperty("prompt", p.text());
            o.addProperty("topic", p.topic());
            lines.add(o);
        }
        writeJsonl(file, lines);
    }

    static void writeJsonl(Path file, List<JsonObject> lines) throws IOException {
        try (JsonlWriter writer = JsonlWriter.open(file)) {
            for (JsonObject line : lines) {
                writer.write(line);
            }
            writer.commit();
        }
    }

    private static double lastMetric(Path metrics, String field) throws IOException {
        double value = Double.NaN;
        for (String line : Files.readAllLines(metrics)) {
            JsonObject o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
            if (o.has(field) && !o.get(field).isJsonNull()) {
                value = o.get(field).getAsDouble();
            }
        }
        return value;
    }

    private void say(String format, Object... args) {
        if (!quiet) {
            err.println(String.format(java.util.Locale.ROOT, format, args));
            err.flush();
        }
    }
}
