package org.jalign.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.cli.ScoringOptions;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.ScoreLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
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

    @Mixin
    ScoringOptions scoring;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Sequences scored together; use the CLI's value for identical output (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    PartitionsOption partitions;

    ScoreJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        // 1. options and the model directory, on the driver
        ClassifierReward.Mode mode = scoring.mode();
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        partitions.check();
        ModelDirectories.require(model, true);
        boolean rewardModel = scoring.isRewardModel(Path.of(model));
        ScoreSettings settings = new ScoreSettings(model, rewardModel, scoring.label(), mode, scoring.raw(), batchSize);
        // 2. the job
        JavaSparkContext context = spark.get();
        LineJob.Result result = LineJob.run(context, input, output, batchSize, partitions.partitions(context),
                line -> ScoreLine.parse(line.parse()), new ScorePartition(settings), "spark score", settings.toJson(), 0);
        spec.commandLine().getErr().println("jalign-spark score: " + result.lines() + " lines scored in "
                + result.partitions() + " partitions -> " + output);
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
