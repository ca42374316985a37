package org.jalign.cli;

import com.google.gson.JsonObject;
import org.jalign.data.JsonlWriter;
import org.jalign.feedback.PreferenceData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jalign feedback convert}: existing preference data → TRL pairs JSONL. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read existing preference data and write TRL pairs {\"prompt\",\"chosen\",\"rejected\"}",
            "(plus prompt_id and margin). Input lines may be TRL pairs, ranked",
            "{\"prompt\",\"completions\",\"ranks\"} (N-choose-2 pairs; ties none; null = flagged, loses), or",
            "Anthropic HH-RLHF {\"chosen\",\"rejected\"} dialogues (split after the last shared",
            "\"\\n\\nAssistant:\").", ""})
final class FeedbackConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Preference data (JSONL).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Pairs (JSONL), written atomically; - for stdout.")
    String out;

    @Override
    public Integer call() throws Exception {
        List<PreferenceData.Example> examples = PreferenceData.read(input);
        try (JsonlWriter writer = JsonlWriter.open(out, spec.commandLine().getOut())) {
            for (PreferenceData.Example e : examples) {
                JsonObject o = new JsonObject();
                o.addProperty("prompt", e.prompt());
                o.addProperty("chosen", e.chosen());
                o.addProperty("rejected", e.rejected());
                o.addProperty("prompt_id", input.getFileName() + ":" + e.lineNumber());
                o.addProperty("margin", e.margin());
                writer.write(o);
            }
            writer.commit();
        }
        spec.commandLine().getErr().println("feedback convert: " + examples.size() + " pairs from " + input + " to " + out);
        return 0;
    }
}
