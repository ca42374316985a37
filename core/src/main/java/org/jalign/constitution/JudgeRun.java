package org.jalign.constitution;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.jalign.data.AtomicFiles;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.LanguageModel;
import org.jalign.run.ProgressBar;
import org.jalign.run.RunDirectory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jalign constitution judge} as a run: 1 items and constitution read and checked, 2 the judge
 * model, its format and a {@link LogProbJudge}, 3 every pair judged ({@link AiFeedback}), 4 the
 * output written atomically, with {@code <out>.manifest.json} beside it (config, seed, versions,
 * input hashes, counts). One pass; nothing to resume (a run costs one forward per comparison).
 */
public final class JudgeRun {

    /** @param constitution a JSONL file, or {@value Constitution#DEFAULT_NAME} */
    public record Config(Path judgeModel, Path input, String constitution, JudgeConfig judge) {
    }

    /**
     * @param items   input lines
     * @param pairs   pairs judged
     * @param written output lines
     * @param dropped pairs within the min confidence of ½ (pairs format only)
     */
    public record Result(int items, int pairs, int written, int dropped, boolean chatTemplate) {
    }

    private JudgeRun() {
    }

    public static Result run(Config c, Path out, boolean quiet, PrintWriter err) throws IOException {
        // 1. inputs
        List<JudgeItem> items = JudgeItem.read(c.input());
        Constitution constitution = Constitution.resolve(c.constitution());
        if (c.judge().principlesPerPair() > constitution.size()) {
            throw new IllegalArgumentException("--principles-per-pair " + c.judge().principlesPerPair()
                    + " exceeds the constitution's " + constitution.size() + " principles");
        }
        // 2. the judge
        try (LanguageModel model = LanguageModel.load(c.judgeModel())) {
            ConversationFormat format = ConversationFormat.forModel(model, c.judgeModel());
            LogProbJudge judge = new LogProbJudge(model, format, c.judge().batchSize());
            // 3. judge every pair
            List<AiFeedback.JudgedPair> judged;
            try (ProgressBar bar = new ProgressBar("judge", AiFeedback.pairCount(items), err, quiet)) {
                judged = AiFeedback.judge(items, constitution, judge, c.judge(), bar);
            }
            // 4. write
            List<JsonObject> lines;
            int dropped = 0;
            if (c.judge().format() == JudgeConfig.OutputFormat.PAIRS) {
                AiFeedback.PairLines pairs = AiFeedback.pairLines(judged, c.judge().minConfidence());
                lines = pairs.lines();
                dropped = pairs.dropped();
            } else {
                lines = AiFeedback.rankedLines(items, judged);
            }
            try (JsonlWriter writer = JsonlWriter.open(out)) {
                for (JsonObject line : lines) {
                    writer.write(line);
                }
                writer.commit();
            }
            Result result = new Result(items.size(), judged.size(), lines.size(), dropped, format.usesChatTemplate());
            writeManifest(c, constitution, out, result);
            return result;
        }
    }

    private static void writeManifest(Config c, Constitution constitution, Path out, Result result) throws IOException {
        JsonObject config = c.judge().toJson();
        config.addProperty("judgeModel", c.judgeModel().toString());
        config.addProperty("input", c.input().toString());
        config.addProperty("constitution", c.constitution());
        config.addProperty("principles", constitution.size());
        config.addProperty("chatTemplate", result.chatTemplate());
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("input", c.input());
        if (!Constitution.DEFAULT_NAME.equals(c.constitution())) {
            inputs.put("constitution", Path.of(c.constitution()));
        }
        inputs.put("judge_weights", RevisionRun.weightsFile(c.judgeModel()));
        JsonObject manifest = RunDirectory.manifest("constitution judge", config, c.judge().seed(), inputs);
        JsonObject counts = new JsonObject();
        counts.addProperty("items", result.items());
        counts.addProperty("pairs", result.pairs());
        counts.addProperty("written", result.written());
        counts.addProperty("dropped_low_confidence", result.dropped());
        manifest.add("counts", counts);
        AtomicFiles.writeString(manifestPath(out),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(manifest) + "\n");
    }

    /** {@code <out>.manifest.json}. */
    public static Path manifestPath(Path out) {
        return out.resolveSibling(out.getFileName() + ".manifest.json");
    }
}
