package org.jalign.constitution;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.jalign.data.AtomicFiles;
import org.jalign.lm.LanguageModel;
import org.jalign.run.ProgressBar;
import org.jalign.run.RunDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jalign constitution revise} as a run: 1 prompts and constitution read and checked, 2 model
 * and its conversation format, 3 run directory and manifest (a resumed run must have the same
 * config and inputs), 4 prompts already written are skipped, 5 critique-revision in batches, both
 * output files rewritten atomically after each batch, trace.jsonl first, so a kill at any moment
 * leaves whole lines and a resume gives files byte-identical to an uninterrupted run.
 *
 * <p>Outputs in the run directory: {@code sft.jsonl} ({@link RevisionTrace#toSftJson}),
 * {@code trace.jsonl} ({@link RevisionTrace#toJson}), {@code manifest.json}.
 */
public final class RevisionRun {
    public static final String SFT_FILE = "sft.jsonl";
    public static final String TRACE_FILE = "trace.jsonl";

    /**
     * @param constitution a JSONL file, or {@value Constitution#DEFAULT_NAME}
     */
    public record Config(Path model, Path prompts, String constitution, RevisionConfig revision) {
        JsonObject toJson(Constitution loaded) {
            JsonObject o = revision.toJson();
            o.addProperty("model", model.toString());
            o.addProperty("prompts", prompts.toString());
            o.addProperty("constitution", constitution);
            o.addProperty("principles", loaded.size());
            return o;
        }
    }

    /** What the run did. */
    public record Result(int prompts, int resumedFrom, boolean chatTemplate, Path sft, Path trace) {
    }

    private RevisionRun() {
    }

    public static Result run(Config c, Path out, boolean resume, boolean quiet, PrintWriter err) throws IOException {
        // 1. inputs
        List<RevisionPrompt> prompts = RevisionPrompt.read(c.prompts());
        Constitution constitution = Constitution.resolve(c.constitution());
        // 2. model
        try (LanguageModel model = LanguageModel.load(c.model())) {
            ConversationFormat format = ConversationFormat.forModel(model, c.model());
            // 3. run directory
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("prompts", c.prompts());
            if (!Constitution.DEFAULT_NAME.equals(c.constitution())) {
                inputs.put("constitution", Path.of(c.constitution()));
            }
            inputs.put("model_weights", weightsFile(c.model()));
            JsonObject config = c.toJson(constitution);
            config.addProperty("chatTemplate", format.usesChatTemplate());
            RunDirectory dir = RunDirectory.start(out, resume,
                    RunDirectory.manifest("constitution revise", config, c.revision().seed(), inputs));
            // RunDirectory makes checkpoints/ for trainers; this run's state is its two output files
            deleteIfEmpty(dir.dir().resolve("checkpoints"));
            Path sftFile = dir.dir().resolve(SFT_FILE);
            Path traceFile = dir.dir().resolve(TRACE_FILE);
            // 4. what an earlier run finished
            List<String> traceLines = completeLines(traceFile);
            List<String> sftLines = completeLines(sftFile);
            int done = Math.min(traceLines.size(), sftLines.size());
            traceLines = new ArrayList<>(traceLines.subList(0, done));
            sftLines = new ArrayList<>(sftLines.subList(0, done));
            if (done > prompts.size()) {
                throw new IOException("--resume: " + out + " holds " + done + " finished prompts but " + c.prompts()
                        + " has only " + prompts.size());
            }
            // 5. the rest, batch by batch
            CritiqueRevision stage = new CritiqueRevision(model, format, constitution, c.revision());
            int batchSize = c.revision().batchSize();
            try (ProgressBar bar = new ProgressBar("revise", prompts.size(), err, quiet)) {
                bar.advance(done);
                for (int from = done; from < prompts.size(); from += batchSize) {
                    List<RevisionPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
                    for (RevisionTrace trace : stage.run(batch)) {
                        traceLines.add(compact(trace.toJson()));
                        sftLines.add(compact(trace.toSftJson(format.usesChatTemplate())));
                    }
                    AtomicFiles.writeString(traceFile, joined(traceLines));
                    AtomicFiles.writeString(sftFile, joined(sftLines));
                    bar.advance(batch.size());
                }
            }
            if (prompts.isEmpty() || done == prompts.size()) {
                AtomicFiles.writeString(traceFile, joined(traceLines));
                AtomicFiles.writeString(sftFile, joined(sftLines));
            }
            return new Result(prompts.size(), done, format.usesChatTemplate(), sftFile, traceFile);
        }
    }

    /** The lines of {@code file} that are whole JSON objects, up to the first that is not. */
    static List<String> completeLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                JsonParser.parseString(line).getAsJsonObject();
            } catch (RuntimeException torn) {
                break;
            }
            lines.add(line);
        }
        return lines;
    }

    private static String compact(JsonObject o) {
        return new GsonBuilder().disableHtmlEscaping().create().toJson(o);
    }

    private static String joined(List<String> lines) {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private static void deleteIfEmpty(Path directory) throws IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(directory);
            }
        }
    }

    static Path weightsFile(Path model) {
        Path single = model.resolve("model.safetensors");
        return Files.exists(single) ? single : model.resolve("model.safetensors.index.json");
    }
}
