package org.jalign.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.jalign.cli.GenerationOptions;
import org.jalign.lm.PromptLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code generate}: {@code jalign generate} as a Spark job. Same options (plus
 * {@code --partitions}), same line formats, the same bytes out: part files in order are the
 * CLI's output file for the same seed and batch size.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate completions for JSONL prompts on a Spark cluster; identical to `jalign generate`.",
            "",
            "Input, one object a line (any Hadoop path: a file, a directory of files, a glob): "
                + "{\"prompt\": \"text\"} or {\"prompt_ids\": [1, 2]}; other fields are copied to the output.",
            "Output: a new directory of part files (committed by Hadoop's output committer) whose lines, "
                + "in part order, are `jalign generate`'s, and _manifest.json.",
            "The model directory must be readable at the same path on the driver and every executor.",
            ""})
final class GenerateJob implements Callable<Integer> {

    private final Supplier<JavaSparkContext> spark;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory on a file system every executor mounts at this path.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Prompts (JSONL): a Hadoop path or glob.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Completions: a new directory (Hadoop path).")
    String output;

    @Mixin
    GenerationOptions generation;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts decoded together; use the CLI's value for byte-identical output (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    PartitionsOption partitions;

    GenerateJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        // 1. options, checked on the driver before Spark runs anything
        GenerateSettings settings = GenerateSettings.of(model, generation.config(batchSize), batchSize);
        partitions.check();
        ModelDirectories.require(model, false);
        // 2. the job
        JavaSparkContext context = spark.get();
        LineJob.Result result = LineJob.run(context, input, output, batchSize, partitions.partitions(context),
                line -> PromptLine.parse(line.parse()), new GeneratePartition(settings), "spark generate", settings.toJson(),
                generation.seed());
        if (result.lines() == 0) {
            spec.commandLine().getErr().println("jalign-spark generate: warning: no prompts in " + input);
        }
        spec.commandLine().getErr().println("jalign-spark generate: " + result.lines() + " prompts, "
                + result.lines() * generation.numReturnSequences() + " completions in " + result.partitions()
                + " partitions -> " + output);
        return 0;
    }
}
