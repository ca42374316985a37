package org.jalign.cli;

import org.jalign.feedback.ConsensusMethod;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code jalign feedback}: human feedback in a SQLite file. {@code create} (sample completions)
 * or {@code import} fills a set, {@code labeler add} invites labelers, {@code serve} runs the
 * labeling web app, {@code report} measures
 * agreement and flags poor labelers, {@code export} writes training data. The shared pieces are
 * here: opening an existing database, picking its set, naming a consensus method.
 */
@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = {"Human feedback: completions to rank, labelers, agreement, consensus and preference data.",
            "Flow: create (or import) -> serve (labelers rank in the browser) -> report -> export."},
        subcommands = {
            FeedbackCreateCommand.class,
            FeedbackImportCommand.class,
            FeedbackLabelerCommand.class,
            FeedbackServeCommand.class,
            FeedbackReportCommand.class,
            FeedbackExportCommand.class,
            FeedbackConvertCommand.class
        })
final class FeedbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Inputs.chooseSubcommand(spec, "subcommand");
    }

    /** Opens a database that must already exist: a mistyped path would otherwise become a new, empty one. */
    static FeedbackStore openExisting(Path db) {
        if (!Files.isRegularFile(db)) {
            throw new CliFailure("feedback database not found: " + db
                    + " (jalign feedback create or import makes one)");
        }
        return FeedbackStore.open(db);
    }

    /** The set named {@code name}, or the only set when {@code name} is null. */
    static StoredSet chooseSet(FeedbackStore store, Path db, String name) {
        List<StoredSet> sets = store.sets();
        String names = sets.stream().map(s -> "\"" + s.name() + "\"").collect(Collectors.joining(", "));
        if (name != null) {
            return sets.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                    new CliFailure(db + " has no feedback set \"" + name + "\""
                            + (sets.isEmpty() ? "; it has none yet" : "; its sets: " + names)));
        }
        if (sets.isEmpty()) {
            throw new CliFailure(db + " has no feedback sets yet (jalign feedback create or import makes one)");
        }
        if (sets.size() > 1) {
            throw new CliFailure(db + " has " + sets.size() + " feedback sets (" + names + "); choose one with --set");
        }
        return sets.get(0);
    }

    /** The default name of a new set: the input file's name without its extension. */
    static String setNameFrom(Path input) {
        String file = input.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    /** Reads a labeling guide; it must not be blank (labelers need instructions). */
    static String readInstructions(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CliFailure("instructions file not found: " + file);
        }
        String text = Files.readString(file);
        if (text.isBlank()) {
            throw new CliFailure("instructions file " + file + " is blank; labelers need a guide");
        }
        return text;
    }

    /** {@code borda | bradley-terry | kemeny} as a {@link ConsensusMethod}. */
    static final class MethodConverter implements CommandLine.ITypeConverter<ConsensusMethod> {
        @Override
        public ConsensusMethod convert(String value) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "borda":
                    return new ConsensusMethod.Borda();
                case "bradley-terry":
                    return new ConsensusMethod.BradleyTerry();
                case "kemeny":
                    return new ConsensusMethod.Kemeny();
                default:
                    throw new CommandLine.TypeConversionException(
                            "unknown consensus method '" + value + "'; expected borda, bradley-terry or kemeny");
            }
        }
    }

    /** The options that make a new set: criterion, instructions, overlap, gold rate. */
    static final class SetOptions {
        @Option(names = "--criterion", required = true, paramLabel = "C",
                description = "What labelers judge: helpfulness, harmlessness, honesty or custom.")
        String criterion;

        @Option(names = "--criterion-text", paramLabel = "TEXT",
                description = "What the criterion means; required with --criterion custom.")
        String criterionText;

        @Option(names = "--instructions", required = true, paramLabel = "FILE",
                description = "The labeling guide (e.g. Markdown), shown to labelers; stored as version 1.")
        Path instructions;

        @Option(names = "--set", paramLabel = "NAME",
                description = "Name of the new feedback set (default: the input file's name without extension).")
        String set;

        @Option(names = "--overlap", paramLabel = "K", defaultValue = "3",
                description = "Labelers per prompt (default: ${DEFAULT-VALUE}).")
        int overlap;

        @Option(names = "--gold-rate", paramLabel = "R", defaultValue = "0",
                description = "Share of each labeler's items that are gold items, in [0, 1) (default: ${DEFAULT-VALUE}).")
        double goldRate;

        /** The new set, checked; option names in messages. */
        FeedbackStore.NewSet newSet(CommandSpec spec, Path input, long seed) throws IOException {
            if ("custom".equalsIgnoreCase(criterion == null ? "" : criterion.trim())
                    && (criterionText == null || criterionText.isBlank())) {
                throw new ParameterException(spec.commandLine(),
                        "--criterion custom needs --criterion-text saying what labelers judge");
            }
            FeedbackStore.NewSet checked;
            try {
                checked = new FeedbackStore.NewSet(set == null ? setNameFrom(input) : set, criterion, criterionText,
                        "placeholder", overlap, goldRate, seed);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage()
                        .replace("overlap (labelers per prompt)", "--overlap").replace("goldRate", "--gold-rate")
                        .replace("unknown criterion", "unknown --criterion"));
            }
            return new FeedbackStore.NewSet(checked.name(), checked.criterion(), checked.criterionText(),
                    readInstructions(instructions), checked.overlap(), checked.goldRate(), checked.seed());
        }
    }
}
