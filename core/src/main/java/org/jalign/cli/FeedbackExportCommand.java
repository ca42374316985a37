package org.jalign.cli;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlWriter;
import org.jalign.feedback.ConsensusMethod;
import org.jalign.feedback.FeedbackAnalysis;
import org.jalign.feedback.FeedbackExport;
import org.jalign.feedback.FlagPolicy;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredLabeler;
import org.jalign.feedback.StoredSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code jalign feedback export}: a feedback set as training data (JSONL). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a feedback set as training data, one JSON object a line:",
            "  pairs     {\"prompt\", \"chosen\", \"rejected\", \"prompt_id\", \"margin\", \"labeler_count\"}: the "
                + "N-choose-2 pairs of each prompt's consensus, preferred first; ties give no pair; flagged "
                + "completions lose to every ranked one (or, with --drop-flagged-completions, are in no pair)",
            "  unpaired  {\"prompt\", \"completion\", \"label\", \"prompt_id\"}: one line per thumbs-up (true) or down (false)",
            "  ranked    {\"prompt\", \"completions\", \"ranks\", \"prompt_id\", \"labeler_count\"}: consensus ranks "
                + "(1 = best), null for a flagged completion (or left out, with --drop-flagged-completions)",
            ""})
final class FeedbackExportCommand implements Callable<Integer> {

    enum Format { PAIRS, UNPAIRED, RANKED }

    /** {@code pairs | unpaired | ranked}, as the help spells them. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format format : Format.values()) {
                if (format.name().equalsIgnoreCase(value)) {
                    return format;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "unknown format '" + value + "'; expected pairs, unpaired or ranked");
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
    Path db;

    @Option(names = "--set", paramLabel = "NAME", description = "Feedback set (default: the only one).")
    String set;

    @Option(names = "--format", required = true, paramLabel = "F", converter = FormatConverter.class, description = "pairs, unpaired or ranked.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output JSONL, written atomically; - for stdout.")
    String out;

    @Option(names = "--method", paramLabel = "M", defaultValue = "borda", converter = FeedbackCommand.MethodConverter.class,
            description = "Consensus: borda, bradley-terry or kemeny (N <= 8) (default: ${DEFAULT-VALUE}).")
    ConsensusMethod method;

    @Option(names = "--exclude-flagged", description = "Leave out labelers flagged as poor (their rankings and thumbs).")
    boolean excludeFlagged;

    @Option(names = "--drop-flagged-completions",
            description = "pairs and ranked: leave completions the consensus flagged out instead of ranking them last.")
    boolean dropFlaggedCompletions;

    @Override
    public Integer call() throws IOException {
        if (dropFlaggedCompletions && format == Format.UNPAIRED) {
            throw new ParameterException(spec.commandLine(),
                    "--drop-flagged-completions applies to --format pairs and ranked; thumbs have no flags");
        }
        List<JsonObject> lines;
        FeedbackAnalysis analysis;
        try (FeedbackStore store = FeedbackCommand.openExisting(db)) {
            StoredSet chosen = FeedbackCommand.chooseSet(store, db, set);
            analysis = FeedbackAnalysis.of(store, chosen, method, excludeFlagged);
            switch (format) {
                case PAIRS:
                    lines = FeedbackExport.pairs(analysis,
                            dropFlaggedCompletions ? FlagPolicy.DROPPED : FlagPolicy.LOSES_TO_RANKED);
                    break;
                case RANKED:
                    lines = FeedbackExport.ranked(analysis, dropFlaggedCompletions);
                    break;
                default:
                    Map<Long, String> names = store.labelers().stream()
                            .collect(Collectors.toMap(StoredLabeler::id, StoredLabeler::name));
                    lines = FeedbackExport.unpaired(analysis.prompts(), store.thumbs(chosen.id()), names,
                            analysis.excludedLabelers());
            }
        }
        try (JsonlWriter writer = JsonlWriter.open(out, spec.commandLine().getOut())) {
            for (JsonObject line : lines) {
                writer.write(line);
            }
            writer.commit();
        }
        spec.commandLine().getErr().printf(Locale.ROOT, "feedback export: %d %s lines from set \"%s\" to %s%s%n",
                lines.size(), format.name().toLowerCase(Locale.ROOT), analysis.set().name(), out,
                analysis.excludedLabelers().isEmpty() ? ""
                        : " (without flagged labelers " + String.join(", ", analysis.excludedLabelers().stream().sorted().toList()) + ")");
        return 0;
    }
}
