package org.jalign.dpo;

import com.google.gson.JsonElement;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.Shuffling;
import org.jalign.reward.PreferenceDataset;
import org.jalign.reward.PreferenceExample;
import org.jalign.reward.PreferenceFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DPO stage's data: 1 read and validate every line (a bad one stops the read naming file, line
 * and field), 2 hold out an eval set by prompt, 3 encode each example into two scored sequences.
 *
 * <pre>
 *   pairs (sigmoid, ipo, hinge, simpo, orpo): {"prompt", "chosen", "rejected"}       (TRL / feedback export)
 *   unpaired (kto):                           {"prompt", "completion", "label": true}  (TRL's KTO format, thumbs)
 * </pre>
 *
 * <p>An example's two sequences are (chosen, rejected) for pairs. For KTO they are (completion,
 * mismatched): the same prompt with the completion of the next example in file order whose prompt
 * differs, cyclically. Those mismatched pairs estimate KTO's KL baseline (Ethayarajh et al. 2024
 * §4.2: "z₀ is estimated by ... mismatched pairs"); TRL rotates the completions of each batch by
 * one instead, which may pair a prompt with its own completion when thumbs of one prompt sit
 * together, as {@code feedback export} writes them. Fixing the partners once lets the reference
 * side be precomputed like everything else.
 */
public final class DpoData {

    /** One line of either format as text. {@code secondCompletion} is null for unpaired lines. */
    public record Line(String prompt, String completion, String secondCompletion, boolean desirable, String source,
                       int lineNumber) {
    }

    /**
     * One encoded example.
     *
     * @param index     its place among train and eval examples together (the reference cache's key)
     * @param first     chosen, or KTO's completion
     * @param second    rejected, or KTO's mismatched completion of this prompt
     * @param desirable KTO's label; true for pairs
     */
    public record Example(int index, DpoEncoder.Encoded first, DpoEncoder.Encoded second, boolean desirable) {
    }

    /** Encoded data and what truncation did. */
    public record Encoded(List<Example> train, List<Example> eval, int lines, int promptsCut, int completionsCut) {
        public Encoded {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }
    }

    private DpoData() {
    }

    /** Step 1 for pairs; the reward stage's reader, so both stages accept exactly the same files. */
    public static List<Line> readPairs(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (PreferenceExample e : PreferenceDataset.read(file, PreferenceFormat.PAIRS, false).examples()) {
            lines.add(new Line(e.prompt(), e.completions().get(0), e.completions().get(1), true, e.source(),
                    e.lineNumber()));
        }
        return lines;
    }

    /** Step 1 for unpaired lines {"prompt", "completion", "label": true|false}. */
    public static List<Line> readUnpaired(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return readUnpaired(reader);
        }
    }

    public static List<Line> readUnpaired(JsonlReader reader) {
        List<Line> lines = new ArrayList<>();
        for (JsonlReader.Line line : reader) {
            if (line.object().has("chosen") && !line.object().has("completion")) {
                throw line.error("the line has \"chosen\" and no \"completion\"",
                        "an unpaired line {\"prompt\", \"completion\", \"label\"} for --loss kto; pairs suit the other losses");
            }
            String prompt = JsonlFields.requireString(line, "prompt");
            String completion = JsonlFields.requireString(line, "completion");
            if (completion.isEmpty()) {
                throw line.error("field \"completion\" is empty", "a non-empty string");
            }
            JsonElement label = line.object().get("label");
            if (label == null || label.isJsonNull()) {
                throw line.error("field \"label\" is missing", "true (thumbs up) or false (thumbs down)");
            }
            if (!label.isJsonPrimitive() || !label.getAsJsonPrimitive().isBoolean()) {
                throw line.error("field \"label\" is " + label, "true (thumbs up) or false (thumbs down)");
            }
            lines.add(new Line(prompt, completion, null, label.getAsBoolean(), line.source(), line.lineNumber()));
        }
        return lines;
    }

    /** Steps 2–3. */
    public static Encoded encode(List<Line> lines, boolean paired, double evalFraction, long seed, DpoEncoder encoder) {
        List<List<Line>> split = Shuffling.splitByKey(lines, Line::prompt, evalFraction, seed);
        int[] cuts = new int[2];
        List<Example> train = encode(split.get(0), paired, encoder, 0, cuts);
        List<Example> eval = encode(split.get(1), paired, encoder, train.size(), cuts);
        return new Encoded(train, eval, lines.size(), cuts[0], cuts[1]);
    }

    private static List<Example> encode(List<Line> lines, boolean paired, DpoEncoder encoder, int firstIndex, int[] cuts) {
        List<Example> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String second = paired ? line.secondCompletion() : mismatched(lines, i);
            DpoEncoder.Encoded a = encoder.encode(line.prompt(), line.completion(), line.source(), line.lineNumber());
            DpoEncoder.Encoded b = encoder.encode(line.prompt(), second, line.source(), line.lineNumber());
            for (DpoEncoder.Encoded e : List.of(a, b)) {
                cuts[0] += e.promptCut() ? 1 : 0;
                cuts[1] += e.completionCut() ? 1 : 0;
            }
            out.add(new Example(firstIndex + i, a, b, line.desirable()));
        }
        return out;
    }

    /** The completion of the next line (cyclically) whose prompt differs; its own when every prompt is the same. */
    static String mismatched(List<Line> lines, int i) {
        for (int k = 1; k < lines.size(); k++) {
            Line other = lines.get((i + k) % lines.size());
            if (!other.prompt().equals(lines.get(i).prompt())) {
                return other.completion();
            }
        }
        return lines.get(i).completion();
    }
}
