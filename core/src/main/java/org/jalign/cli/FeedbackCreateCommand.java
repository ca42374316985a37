package org.jalign.cli;

import org.jalign.data.JsonlReader;
import org.jalign.feedback.FeedbackSampling;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredSet;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.TokenIdChecks;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jalign feedback create}: a new feedback set of N sampled completions per prompt.
 *
 * <p>Steps: 1 check options and the guide, 2 read and check every prompt line, 3 open the
 * database and make sure the set name is free, 4 load the model, name it and tokenize (BOS
 * prepended as in {@code generate}), 5 sample in batches, 6 store the set and every prompt in one
 * transaction. Everything that can be wrong with the input fails before the model loads.
 */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample N completions per prompt with a model and store them as a new feedback set.",
            "",
            "Prompts, one JSON object a line: {\"prompt\": \"text\", \"prompt_id\": \"p1\"} (prompt_id optional, "
                + "else derived from the text; unique). Each completion is stored with the model id "
                + "(directory name @ sha256 of the weights) and the sampling settings.",
            ""})
final class FeedbackCreateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory with tokenizer.json.")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Prompts (JSONL).")
    Path prompts;

    @Option(names = "--completions-per-prompt", required = true, paramLabel = "N",
            description = "Completions to sample per prompt: 2 or more are ranked, 1 is rated thumbs up/down.")
    int completionsPerPrompt;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database (created if new).")
    Path db;

    @Mixin
    FeedbackCommand.SetOptions setOptions;

    @Option(names = "--max-new-tokens", paramLabel = "K", defaultValue = "64",
            description = "Tokens to generate at most per completion (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample from the K most likely tokens; 0 is off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
            description = "Nucleus sampling, P in (0, 1]; 1 is off (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the samples, and of the order prompts and completions are shown in (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        // 1. Options, the guide and the model directory.
        if (completionsPerPrompt < 1) {
            throw usage("--completions-per-prompt must be >= 1 (1 makes thumbs-up/down items, 2 or more ranked ones), got "
                    + completionsPerPrompt);
        }
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        GenerationConfig config;
        try {
            config = new GenerationConfig(maxNewTokens, false, temperature, topK, topP, 1.0, completionsPerPrompt, seed);
        } catch (IllegalArgumentException e) {
            throw usage(GenerationOptions.inOptionTerms(e.getMessage()));
        }
        FeedbackStore.NewSet set = setOptions.newSet(spec, prompts, seed);
        Inputs.requireModelDir(model);

        // 2. Every prompt line.
        List<FeedbackSampling.Prompt> lines;
        try (JsonlReader reader = Inputs.openInput(prompts.toString())) {
            lines = FeedbackSampling.readPrompts(reader);
        }
        if (lines.isEmpty()) {
            throw new CliFailure(prompts + " holds no prompts; expected one {\"prompt\": \"...\"} a line");
        }

        // 3. The database, and a free set name (before minutes of sampling, not after).
        try (FeedbackStore store = FeedbackStore.open(db)) {
            if (store.sets().stream().anyMatch(s -> s.name().equals(set.name()))) {
                throw new CliFailure(db + " already has a feedback set \"" + set.name() + "\"; name the new one with --set");
            }
            // 4. The model, its id, and the prompts as ids.
            List<FeedbackStore.NewPrompt> sampled;
            String modelId = FeedbackSampling.modelId(model);
            try (LanguageModel lm = LanguageModel.load(model)) {
                TextTokenizer tokenizer = lm.tokenizer().orElseThrow(() ->
                        new CliFailure(model + " has no tokenizer.json; feedback create needs text prompts and completions"));
                List<int[]> ids = new ArrayList<>();
                for (FeedbackSampling.Prompt prompt : lines) {
                    int[] promptIds = lm.specialTokens().withBos(tokenizer.encode(prompt.text()));
                    if (promptIds.length == 0) {
                        throw prompt.line().error("field \"prompt\" encodes to no tokens and the model has no BOS token",
                                "a non-empty prompt");
                    }
                    TokenIdChecks.checkFitsModel(prompt.line(), "prompt", promptIds, maxNewTokens, lm.config());
                    ids.add(promptIds);
                }
                // 5. Sampling.
                try (ProgressBar bar = new ProgressBar("feedback create", lines.size(), spec.commandLine().getErr(), quiet)) {
                    sampled = FeedbackSampling.sample(lm, lines, ids, config, batchSize, modelId, bar::advance);
                }
            }
            // 6. The set and its prompts.
            StoredSet created = store.createSet(set);
            store.addPrompts(created.id(), sampled);
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "feedback create: set \"%s\" (%s) in %s: %d prompts x %d completions from %s%n",
                    created.name(), created.criterion().toLowerCase(Locale.ROOT), db, sampled.size(),
                    completionsPerPrompt, modelId);
        }
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
