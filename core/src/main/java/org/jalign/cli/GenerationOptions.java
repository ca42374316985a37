package org.jalign.cli;

import org.jalign.lm.GenerationConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Map;

/**
 * {@code jalign generate}'s decoding options ({@code --max-new-tokens} to {@code --seed}) as a
 * picocli mixin, and their checks as one {@link GenerationConfig}. Public so the Spark module's
 * {@code generate} job takes exactly the CLI's options with the CLI's messages.
 */
public final class GenerationOptions {

    /** GenerationConfig's field names → the options, to put its messages in the user's terms. */
    private static final Map<String, String> OPTION_NAMES = Map.of(
            "maxNewTokens", "--max-new-tokens", "temperature", "--temperature", "topK", "--top-k",
            "topP", "--top-p", "repetitionPenalty", "--repetition-penalty", "numReturnSequences", "--num-return-sequences");

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--max-new-tokens", paramLabel = "K", defaultValue = "64",
            description = "Tokens to generate at most per completion (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most likely token each step instead of sampling.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature > 0 (default: 1).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens (default: 0, off).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample from the smallest set of tokens with probability >= P, P in (0, 1] (default: 1, off).")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "CTRL repetition penalty > 0; 1 is off (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--num-return-sequences", paramLabel = "N", defaultValue = "1",
            description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int numReturnSequences;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Random seed; the same seed gives the same samples whatever the batch size (default: ${DEFAULT-VALUE}).")
    long seed;

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public int numReturnSequences() {
        return numReturnSequences;
    }

    public long seed() {
        return seed;
    }

    /**
     * The options as a config, checked in the order a user meets them: --greedy's conflicts,
     * then {@code batchSize} (the command's --batch-size), then every range; a failure is a usage
     * error of the command that mixes these options in.
     */
    public GenerationConfig config(int batchSize) {
        if (greedy && (temperature != null || topK != null || topP != null)) {
            throw usage("--greedy cannot be combined with --temperature, --top-k or --top-p");
        }
        if (greedy && numReturnSequences > 1) {
            // As Hugging Face refuses it: N greedy completions of one prompt are N identical copies.
            throw usage("--greedy gives one completion per prompt; --num-return-sequences " + numReturnSequences
                    + " needs sampling (--temperature T)");
        }
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        try {
            return new GenerationConfig(maxNewTokens, greedy, temperature == null ? 1.0 : temperature,
                    topK == null ? 0 : topK, topP == null ? 1.0 : topP, repetitionPenalty, numReturnSequences, seed);
        } catch (IllegalArgumentException e) {
            throw usage(inOptionTerms(e.getMessage()));
        }
    }

    /** "topP must be in (0, 1], got 1.5" → "--top-p must be in (0, 1], got 1.5". */
    public static String inOptionTerms(String message) {
        int space = message.indexOf(' ');
        String first = space < 0 ? message : message.substring(0, space);
        String option = OPTION_NAMES.get(first);
        return option == null ? message : option + message.substring(first.length());
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
