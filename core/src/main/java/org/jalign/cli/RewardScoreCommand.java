package org.jalign.cli;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.TextTokenizer;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardEncoder;
import org.jalign.reward.RewardModel;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code jalign reward score}: 1 check the options and every input line, 2 load the reward model
 * (a {@code reward train} output, normalised) or a classifier (a chosen class), 3 encode text as
 * training did, 4 score in batches, 5 commit the output atomically.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scores completions with a reward model or a sequence classifier.",
            "Input JSONL, one line each:",
            "  {\"prompt\": \"...\", \"completion\": \"...\"}",
            "  {\"prompt_ids\": [...], \"completion_ids\": [...]}",
            "Output: the same lines with \"reward\" added. Text is encoded as `reward train`",
            "encodes it (chat template, else <bos> prompt completion <eos>); ids are scored",
            "as given. A `reward train` output gives normalised rewards (see --raw);",
            "--label and --reward pick a classifier's class and how it becomes a reward.", ""})
final class RewardScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A reward model (reward train's final/) or a *ForSequenceClassification directory.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Lines to score (JSONL); - for stdin.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Scored lines (JSONL), written atomically; - for stdout.")
    String output;

    @Option(names = "--label", paramLabel = "NAME|INDEX",
            description = "The class whose score is the reward, by id2label name or index (default: 0).")
    String label;

    @Option(names = "--reward", paramLabel = "logit|log-odds|log-prob",
            description = "A classifier's reward: the class logit (default), its log-odds against the others, or its log-probability.")
    String rewardMode;

    @Option(names = "--raw", description = "A reward model's raw output, without the stored normalisation.")
    boolean raw;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Sequences scored together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    /** One input line, checked: text or ids (exactly one pair is set). */
    private record Item(JsonlReader.Line line, String prompt, String completion, int[] promptIds, int[] completionIds) {
    }

    @Override
    public Integer call() throws IOException {
        // 1. options and input
        ClassifierReward.Mode mode = mode();
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        }
        if (!Files.isRegularFile(model.resolve("adapter_config.json"))) {   // a LoRA run's final/ has no config.json
            Inputs.requireModelDir(model);
        }
        List<Item> items = read();
        boolean rewardModel = label == null && rewardMode == null && (Files.isRegularFile(model.resolve("reward_config.json"))
                || Files.isRegularFile(model.resolve("adapter_config.json")));
        if (raw && !rewardModel) {
            throw new ParameterException(spec.commandLine(), "--raw applies to a reward model (a reward train output) "
                    + "without --label or --reward");
        }
        try (JsonlWriter out = JsonlWriter.open(output, spec.commandLine().getOut())) {
            // 2. the model
            RewardModel rm = null;
            ClassifierReward classifier = null;
            try {
                LanguageModel lm;
                Path tokenizerDir;
                int maxLength;
                Function<List<int[]>, float[]> scorer;
                if (rewardModel) {
                    rm = RewardModel.load(model);
                    rm.setBatchSize(batchSize);
                    RewardModel m = rm;
                    lm = rm.languageModel();
                    tokenizerDir = rm.tokenizerDir();
                    maxLength = rm.maxLength();
                    scorer = raw ? m::rawRewards : m::rewards;
                } else {
                    classifier = ClassifierReward.load(model, label, mode);
                    classifier.setBatchSize(batchSize);
                    lm = classifier.languageModel();
                    tokenizerDir = model;
                    maxLength = lm.config().architecture() == Architecture.GPT2 ? lm.config().maxPositions() : 0;
                    scorer = classifier::rewards;
                }
                // 3. sequences
                List<int[]> sequences = encode(items, lm, tokenizerDir, maxLength);
                // 4. score
                try (ProgressBar bar = new ProgressBar("score", items.size(), spec.commandLine().getErr(), quiet)) {
                    for (int from = 0; from < items.size(); from += batchSize) {
                        int to = Math.min(items.size(), from + batchSize);
                        float[] rewards = scorer.apply(sequences.subList(from, to));
                        for (int i = from; i < to; i++) {
                            JsonObject line = items.get(i).line().object().deepCopy();
                            line.addProperty("reward", rewards[i - from]);
                            out.write(line);
                        }
                        bar.advance(to - from);
                    }
                }
            } finally {
                if (rm != null) {
                    rm.close();
                }
                if (classifier != null) {
                    classifier.close();
                }
            }
            // 5. only now does the output appear
            out.commit();
        }
        return 0;
    }

    private ClassifierReward.Mode mode() {
        if (rewardMode == null) {
            return ClassifierReward.Mode.LOGIT;
        }
        return switch (rewardMode.toLowerCase(Locale.ROOT)) {
            case "logit" -> ClassifierReward.Mode.LOGIT;
            case "log-odds" -> ClassifierReward.Mode.LOG_ODDS;
            case "log-prob" -> ClassifierReward.Mode.LOG_PROBABILITY;
            default -> throw new ParameterException(spec.commandLine(),
                    "--reward must be logit, log-odds or log-prob, got \"" + rewardMode + "\"");
        };
    }

    private List<Item> read() throws IOException {
        List<Item> items = new ArrayList<>();
        try (JsonlReader reader = Inputs.openInput(input)) {
            for (JsonlReader.Line line : reader) {
                JsonObject o = line.object();
                boolean ids = o.has("prompt_ids") || o.has("completion_ids");
                boolean text = o.has("prompt") || o.has("completion");
                if (ids) {
                    int[] p = JsonlFields.requireIntArray(line, "prompt_ids");
                    int[] c = JsonlFields.requireIntArray(line, "completion_ids");
                    Inputs.checkIds(line, "prompt_ids", p, 0, "ids are >= 0");
                    Inputs.checkIds(line, "completion_ids", c, 1, "the reward is read at the completion's last token");
                    items.add(new Item(line, null, null, p, c));
                } else if (text) {
                    String c = JsonlFields.requireString(line, "completion");
                    if (c.isEmpty()) {
                        throw line.error("field \"completion\" is empty", "a non-empty completion");
                    }
                    items.add(new Item(line, JsonlFields.requireString(line, "prompt"), c, null, null));
                } else {
                    throw line.error("the line has neither \"prompt\"/\"completion\" nor \"prompt_ids\"/\"completion_ids\"",
                            "{\"prompt\": ..., \"completion\": ...} or {\"prompt_ids\": [...], \"completion_ids\": [...]}");
                }
            }
        }
        return items;
    }

    private List<int[]> encode(List<Item> items, LanguageModel lm, Path tokenizerDir, int maxLength) throws IOException {
        Optional<TextTokenizer> tokenizer = lm.tokenizer();
        RewardEncoder encoder = null;
        List<int[]> sequences = new ArrayList<>();
        for (Item item : items) {
            if (item.promptIds() != null) {
                Inputs.checkFitsModel(item.line(), "prompt_ids", item.promptIds(), 0, lm.config());
                Inputs.checkFitsModel(item.line(), "completion_ids", item.completionIds(), 0, lm.config());
                sequences.add(RewardEncoder.concatenate(item.promptIds(), item.completionIds(), maxLength));
                continue;
            }
            if (tokenizer.isEmpty()) {
                throw item.line().error("a text \"prompt\"", "\"prompt_ids\" and \"completion_ids\": " + model
                        + " has no tokenizer.json");
            }
            if (encoder == null) {
                encoder = RewardEncoder.forModel(tokenizer.get(), tokenizerDir, lm.specialTokens(), maxLength);
            }
            sequences.add(encoder.encode(item.prompt(), item.completion(), item.line().source(),
                    item.line().lineNumber()).tokens());
        }
        return sequences;
    }
}
