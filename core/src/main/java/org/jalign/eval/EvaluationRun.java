package org.jalign.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.lm.LanguageModel;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardModel;
import org.jalign.run.RunDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jalign eval compare} from directories. Steps:
 * <ol>
 *   <li>Read the prompts, every line checked before a model loads.</li>
 *   <li>Load the reference and the scorers (a reward model; a classifier's class probability,
 *       flagged at the threshold); their vocabularies must be the reference's.</li>
 *   <li>Write the run directory's manifest (config, seed, versions, SHA-256 of the prompts and
 *       of every model's weights).</li>
 *   <li>The baseline first, then each other policy, one loaded at a time: encode the prompts with
 *       the baseline's tokenizer and template (the same ids for every policy), roll out
 *       ({@link PolicyEvaluation#rollOut}), save {@code rollouts/NAME.jsonl}. A resumed run
 *       reads back the rollouts already saved.</li>
 *   <li>Compare; write {@code summary.json} and {@code samples.jsonl}.</li>
 * </ol>
 */
final class EvaluationRun {
    private EvaluationRun() {
    }

    static EvaluationResult run(EvaluationConfig c, List<Scorer> extraScorers, List<PolicyEvaluation.Judge> judges, Path out,
                                boolean resume, boolean quiet, PrintWriter err) throws IOException {
        // 1. prompts
        List<org.jalign.lm.PromptLine> lines = EvaluationPrompts.read(c.prompts());
        List<EvaluationConfig.PolicySource> order = new ArrayList<>();
        order.add(c.baselineSource());
        c.policies().stream().filter(p -> !p.name().equals(c.baseline())).forEach(order::add);
        for (EvaluationConfig.PolicySource p : order) {
            modelFilesDir(p.dir());   // a missing or unreadable directory fails before anything loads
        }
        // 2. reference and scorers
        List<AutoCloseable> open = new ArrayList<>();
        try {
            LanguageModel reference = loadModel(c.referenceDir());
            open.add(reference);
            List<Scorer> scorers = new ArrayList<>();
            if (c.rewardModel() != null) {
                RewardModel rm = RewardModel.load(c.rewardModel());
                open.add(rm);
                requireVocabulary("the reward model " + c.rewardModel(), rm.languageModel(), reference);
                scorers.add(Scorer.reward("reward", rm));
            }
            if (c.classifier() != null) {
                EvaluationConfig.ClassifierSource cs = c.classifier();
                ClassifierReward classifier = ClassifierReward.load(cs.dir(), cs.label(), ClassifierReward.Mode.LOG_PROBABILITY);
                open.add(classifier);
                requireVocabulary("the classifier " + cs.dir(), classifier.languageModel(), reference);
                scorers.add(Scorer.probability(classifier, cs.direction(), cs.threshold()));
            }
            scorers.addAll(extraScorers);
            // 3. the run directory
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("prompts", c.prompts());
            for (EvaluationConfig.PolicySource p : c.policies()) {
                inputs.put("policy_" + p.name(), weightsFile(p.dir()));
                Path base = modelFilesDir(p.dir());
                if (!base.equals(p.dir())) {   // an adapter: its base's weights are part of the policy
                    inputs.put("policy_" + p.name() + "_base", weightsFile(base));
                }
            }
            inputs.put("reference", weightsFile(c.referenceDir()));
            if (c.rewardModel() != null) {
                inputs.put("reward_model", weightsFile(c.rewardModel()));
            }
            if (c.classifier() != null) {
                inputs.put("classifier", weightsFile(c.classifier().dir()));
            }
            JsonObject settings = c.toJson();
            JsonArray extra = new JsonArray();
            extraScorers.forEach(x -> extra.add(x.name()));
            settings.add("extraScorers", extra);
            JsonArray judgeNames = new JsonArray();
            judges.forEach(j -> judgeNames.add(j.name()));
            settings.add("judges", judgeNames);
            RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("eval compare", settings,
                    c.sampling().seed(), inputs));
            Path rolloutDir = dir.dir().resolve(EvaluationFiles.ROLLOUTS);
            Files.createDirectories(rolloutDir);
            // 4. roll out, one policy at a time
            List<PolicyEvaluation.EvaluationPrompt> prompts = null;
            List<PolicyEvaluation.Rollout> rollouts = new ArrayList<>();
            for (EvaluationConfig.PolicySource p : order) {
                Path saved = rolloutDir.resolve(p.name() + ".jsonl");
                boolean reuse = resume && Files.isRegularFile(saved) && prompts != null;
                if (reuse) {
                    if (!quiet) {
                        err.println("eval: reusing the saved rollout of " + p.name() + " (" + saved + ")");
                    }
                    rollouts.add(EvaluationFiles.readRollout(saved, p.name(), scorers.size()));
                    continue;
                }
                try (LanguageModel policy = loadModel(p.dir())) {
                    requireVocabulary("policy " + p.name(), policy, reference);
                    if (prompts == null) {   // the baseline, first: its tokenizer and template encode the prompts
                        prompts = EvaluationPrompts.encode(lines, policy, modelFilesDir(p.dir()), c.promptFormat(),
                                c.sampling().maxNewTokens());
                        if (resume && Files.isRegularFile(saved)) {
                            rollouts.add(EvaluationFiles.readRollout(saved, p.name(), scorers.size()));
                            continue;
                        }
                    }
                    PolicyEvaluation.Rollout r = PolicyEvaluation.rollOut(new PolicyEvaluation.Candidate(p.name(), policy),
                            reference, prompts, scorers, c.sampling(), err, quiet);
                    EvaluationFiles.writeRollout(saved, r);
                    rollouts.add(r);
                }
            }
            // 5. compare and write
            EvaluationResult result = PolicyEvaluation.compare(c.baseline(), rollouts, prompts, scorers, judges, c.sampling());
            EvaluationFiles.writeSamples(dir.dir().resolve(EvaluationFiles.SAMPLES), result);
            EvaluationFiles.writeSummary(dir.dir().resolve(EvaluationFiles.SUMMARY), result, prompts.size());
            return result;
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // closing frees native memory; a failure here must not hide the run's own error
                }
            }
        }
    }

    private static void requireVocabulary(String what, LanguageModel model, LanguageModel reference) throws IOException {
        if (model.config().vocabSize() != reference.config().vocabSize()) {
            throw new IOException(what + " has a vocabulary of " + model.config().vocabSize() + " tokens but the reference has "
                    + reference.config().vocabSize() + ": completions are scored by token id, so every model must share "
                    + "the policies' tokenizer");
        }
    }

    /**
     * A model directory, or a PEFT LoRA adapter directory (as {@code ppo}/{@code dpo} --lora write
     * to final/) loaded onto the base its adapter_config.json names.
     */
    static LanguageModel loadModel(Path dir) throws IOException {
        Path base = adapterBase(dir);
        if (base == null) {
            return LanguageModel.load(dir);
        }
        LanguageModel model = LanguageModel.load(base);
        try {
            model.loadAdapters(dir);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Where a model's tokenizer and chat template are: the directory, or an adapter's base. */
    static Path modelFilesDir(Path dir) throws IOException {
        Path base = adapterBase(dir);
        return base == null ? dir : base;
    }

    /** The base model of an adapter directory without config.json, else null. */
    private static Path adapterBase(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory " + dir + " does not exist or is not a directory");
        }
        Path adapterConfig = dir.resolve("adapter_config.json");
        if (Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(adapterConfig)) {
            return null;
        }
        JsonElement base;
        try {
            base = JsonParser.parseString(Files.readString(adapterConfig, StandardCharsets.UTF_8))
                    .getAsJsonObject().get("base_model_name_or_path");
        } catch (RuntimeException e) {
            throw new IOException(adapterConfig + ": not a valid adapter config (" + e.getMessage() + ")", e);
        }
        if (base == null || !base.isJsonPrimitive() || base.getAsString().isBlank()) {
            throw new IOException(adapterConfig + ": field \"base_model_name_or_path\" names no base model to load the "
                    + "adapter onto; expected the base model's directory");
        }
        return Path.of(base.getAsString());
    }

    private static Path weightsFile(Path model) throws IOException {
        for (String name : List.of("model.safetensors", "model.safetensors.index.json", "adapter_model.safetensors")) {
            if (Files.isRegularFile(model.resolve(name))) {
                return model.resolve(name);
            }
        }
        throw new IOException(model + " holds no model.safetensors, model.safetensors.index.json or adapter_model.safetensors");
    }

    /** Reads a JSON object file, naming the file when it is not one. */
    static JsonObject readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " not found");
        }
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a JSON object (" + e.getMessage() + ")", e);
        }
    }
}
