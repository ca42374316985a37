package org.jalign.cli;

import org.jalign.data.JsonlWriter;
import org.jalign.feedback.ConsensusMethod;
import org.jalign.feedback.FeedbackAnalysis;
import org.jalign.feedback.FeedbackReport;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jalign feedback report}: agreement, labeler quality and consensus of a feedback set. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Agreement (pairwise %%, Kendall tau_b, Krippendorff alpha on pairs and on ranks), each "
                + "labeler's agreement with the leave-one-out consensus and with gold items, the labelers flagged "
                + "as poor and why, and the consensus ranking of every prompt. Skipped items are left out.", ""})
final class FeedbackReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database.")
    Path db;

    @Option(names = "--set", paramLabel = "NAME", description = "Feedback set (default: the only one).")
    String set;

    @Option(names = "--method", paramLabel = "M", defaultValue = "borda", converter = FeedbackCommand.MethodConverter.class,
            description = "Consensus: borda, bradley-terry or kemeny (N <= 8) (default: ${DEFAULT-VALUE}).")
    ConsensusMethod method;

    @Option(names = "--exclude-flagged", description = "Leave flagged labelers out of the consensus.")
    boolean excludeFlagged;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the JSON object to FILE (atomically).")
    Path output;

    @Override
    public Integer call() throws IOException {
        FeedbackAnalysis analysis;
        try (FeedbackStore store = FeedbackCommand.openExisting(db)) {
            StoredSet chosen = FeedbackCommand.chooseSet(store, db, set);
            analysis = FeedbackAnalysis.of(store, chosen, method, excludeFlagged);
        }
        if (output != null) {
            try (JsonlWriter writer = JsonlWriter.open(output)) {
                writer.write(FeedbackReport.json(analysis));
                writer.commit();
            }
        }
        if (json) {
            StringWriter line = new StringWriter();
            try (JsonlWriter writer = JsonlWriter.toStream(line)) {
                writer.write(FeedbackReport.json(analysis));
                writer.commit();
            }
            spec.commandLine().getOut().print(line);
        } else {
            spec.commandLine().getOut().print(FeedbackReport.text(analysis));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
