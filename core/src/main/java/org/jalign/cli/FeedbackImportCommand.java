package org.jalign.cli;

import org.jalign.feedback.FeedbackImport;
import org.jalign.feedback.FeedbackStore;
import org.jalign.feedback.StoredSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jalign feedback import}: a new feedback set from completions made elsewhere. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Import prompts with existing completions as a new feedback set.",
            "",
            "One JSON object a line: {\"prompt\": \"...\", \"completions\": [\"...\", \"...\"]} and optionally "
                + "\"prompt_id\", \"model\", \"sampling\": {...}, \"criterion\" (must be the set's), "
                + "\"gold_ranks\": [1, 2, \"flag\"] (makes it a gold item). A completion may be "
                + "{\"text\": \"...\", \"model\": \"...\", \"sampling\": {...}}. Every line is checked before anything is stored.",
            ""})
final class FeedbackImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "Feedback database (created if new).")
    Path db;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Prompts with completions (JSONL).")
    Path input;

    @Mixin
    FeedbackCommand.SetOptions setOptions;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the order prompts and completions are shown in (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        FeedbackStore.NewSet set = setOptions.newSet(spec, input, seed);
        if (!Files.isRegularFile(input)) {
            throw new CliFailure("input file not found: " + input);
        }
        String text = Files.readString(input);
        try (FeedbackStore store = FeedbackStore.open(db)) {
            StoredSet created = FeedbackImport.intoNewSet(store, set, input.toString(), text);
            spec.commandLine().getOut().printf(Locale.ROOT, "feedback import: set \"%s\" (%s) in %s: %d prompts%n",
                    created.name(), created.criterion().toLowerCase(Locale.ROOT), db, store.prompts(created.id()).size());
        }
        return 0;
    }
}
