package org.jalign.spark;

import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Map;
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

    private static final Map<String, String> OPTION_NAMES = Map.of(
            "maxNewTokens", "--max-new-tokens", "temperature", "--temperature", "topK", "--top-k",
            "topP", "--top-p", "repetitionPenalty", "--repetition-penalty", "numReturnSequences", "--num-return-sequences",
            "batchSize", "--batch-size");

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

    @Option(names = "--max-new-tokens", paramLabel = "K", defaultValue = "64",
            description = "Tokens to generate at most per completion (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most likely token each step instead of sampling.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature > 0 (default: 1).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens (default: 0, off).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling, P in (0, 1] (default: 1, off).")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "CTRL repetition penalty > 0; 1 is off (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--num-return-sequences", paramLabel = "N", defaultValue = "1",
            description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int numReturnSequences;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Random seed; draws depend on (seed, prompt index, sample index) only (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8",
            description = "Prompts decoded together; use the CLI's value for byte-identical output (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions (tasks) of whole batches (default: the cluster's default parallelism).")
    Integer partitions;

    GenerateJob(Supplier<JavaSparkContext> spark) {
        this.spark = spark;
    }

    @Override
    public Integer call() throws Exception {
        // 1. options, checked on the driver before Spark runs anything
        GenerateSettings settings = settings();
        if (partitions != null && partitions < 1) {
            throw usage("--partitions must be >= 1, got " + partitions);
        }
        ModelDirectories.require(model, false);
        // 2. the job
        JavaSparkContext context = spark.get();
        LineJob.Result result = LineJob.run(context, input, output, batchSize,
                partitions != null ? partitions : context.defaultParallelism(),
                PromptLines::parse, new GeneratePartition(settings), "spark generate", settings.toJson(), seed);
        if (result.lines() == 0) {
            spec.commandLine().getErr().println("jalign-spark generate: warning: no prompts in " + input);
        }
        spec.commandLine().getErr().println("jalign-spark generate: " + result.lines() + " prompts, "
                + result.lines() * numReturnSequences + " completions in " + result.partitions() + " partitions -> " + output);
        return 0;
    }

    private GenerateSettings settings() {
        if (greedy && (temperature != null || topK != null || topP != null)) {
            throw usage("--greedy cannot be combined with --temperature, --top-k or --top-p");
        }
        if (greedy && numReturnSequences > 1) {
            throw usage("--greedy gives one completion per prompt; --num-return-sequences " + numReturnSequences
                    + " needs sampling (--temperature T)");
        }
        try {
            return new GenerateSettings(model, maxNewTokens, greedy, temperature == null ? 1.0 : temperature,
                    topK == null ? 0 : topK, topP == null ? 1.0 : topP, repetitionPenalty, numReturnSequences, seed,
                    batchSize);
        } catch (IllegalArgumentException e) {
            throw usage(inOptionTerms(e.getMessage()));
        }
    }

    /** "topP must be in (0, 1], got 1.5" → "--top-p must be in (0, 1], got 1.5". */
    private static String inOptionTerms(String message) {
        int space = message.indexOf(' ');
        String first = space < 0 ? message : message.substring(0, space);
        String option = OPTION_NAMES.get(first);
        return option == null ? message : option + message.substring(first.length());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
