package org.jalign.cli;

import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.Architecture;
import org.jalign.lm.LanguageModel;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardModel;
import org.jalign.reward.ScoreLine;
import org.jalign.reward.ScoreLineEncoder;
import org.jalign.run.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Mixin
    ScoringOptions scoring;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Sequences scored together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        // 1. options and input
        ClassifierReward.Mode mode = scoring.mode();
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1, got " + batchSize);
        }
        if (!Files.isRegularFile(model.resolve("adapter_config.json"))) {   // a LoRA run's final/ has no config.json
            Inputs.requireModelDir(model);
        }
        List<ScoreLine> items = read();
        boolean rewardModel = scoring.isRewardModel(model);
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
                    scorer = scoring.raw() ? m::rawRewards : m::rewards;
                } else {
                    classifier = ClassifierReward.load(model, scoring.label(), mode);
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
                            out.write(items.get(i).withReward(rewards[i - from]));
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

    private List<ScoreLine> read() throws IOException {
        List<ScoreLine> items = new ArrayList<>();
        try (JsonlReader reader = Inputs.openInput(input)) {
            for (JsonlReader.Line line : reader) {
                items.add(ScoreLine.parse(line));
            }
        }
        return items;
    }

    private List<int[]> encode(List<ScoreLine> items, LanguageModel lm, Path tokenizerDir, int maxLength) throws IOException {
        ScoreLineEncoder encoder = new ScoreLineEncoder(lm, tokenizerDir, maxLength, model.toString());
        List<int[]> sequences = new ArrayList<>();
        for (ScoreLine item : items) {
            sequences.add(encoder.encode(item));
        }
        return sequences;
    }
}
