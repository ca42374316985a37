package org.jalign.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.reward.ClassifierReward;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code score}: {@code jalign reward score} as a Spark job. Same options (plus
 * {@code --partitions}), same line formats, same rewards: part files in order are the CLI's
 * output file for the same batch size.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score completions with a reward model or a sequence classifier on a Spark cluster; "
                + "identical to `jalign reward score`.",
            "Input JSONL (a Hadoop path or glob), one line each:",
            "  {\"prompt\": \"...\", \"completion\": \"...\"}",
            "  {\"prompt_ids\": [...], \"completion_ids\": [...]}",
            "Output: a new directory of part files with the same lines and \"reward\" added, and _manifest.json.",
            "The model directory must be readable at the same path on the driver and every executor.", ""})
final class ScoreJob implements Callable<Integer> {

    private final Supplier<JavaSparkContext> spark;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A reward model (reward train's final/) or a *ForSequenceClassification directory, on a file "
                    + "system every executor mounts at this path.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Lines to score (JSONL): a Hadoop path or glob.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Scored lines: a new directory (Hadoop path).")
    String output;

    @Option(names = "--label", paramLabel = "NAME|INDEX",
            description = "The class whose score is the reward, by id2label name or index (default: 0).")
    String label;

    @Option(names = "--reward", paramLabel = "logit|log-odds|log-prob",
            description = "A classifier's reward: the class logit (default), its log-odds against the others, or its log-probability.")
    String rewardMode;

    @Option(names = "--raw", description = "A reward model's raw output, without the stored normalisation.")
    boolean raw;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Sequences scored together; use the CLI's value for identical output (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions (tasks) of whole batches (default: the cluster's default parallelism).")
    Integer partitions;

    ScoreJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        // 1. options and the model directory, on the driver
        ClassifierReward.Mode mode = mode();
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        if (partitions != null && partitions < 1) {
            throw usage("--partitions must be >= 1, got " + partitions);
        }
        ModelDirectories.require(model, true);
        Path dir = Path.of(model);
        boolean rewardModel = label == null && rewardMode == null && (Files.isRegularFile(dir.resolve("reward_config.json"))
                || Files.isRegularFile(dir.resolve("adapter_config.json")));
        if (raw && !rewardModel) {
            throw usage("--raw applies to a reward model (a reward train output) without --label or --reward");
        }
        ScoreSettings settings = new ScoreSettings(model, rewardModel, label, mode, raw, batchSize);
        // 2. the job
        JavaSparkContext context = spark.get();
        LineJob.Result result = LineJob.run(context, input, output, batchSize,
                partitions != null ? partitions : context.defaultParallelism(),
                ScoreLines::parse, new ScorePartition(settings), "spark score", settings.toJson(), 0);
        spec.commandLine().getErr().println("jalign-spark score: " + result.lines() + " lines scored in "
                + result.partitions() + " partitions -> " + output);
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
            default -> throw usage("--reward must be logit, log-odds or log-prob, got \"" + rewardMode + "\"");
        };
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
