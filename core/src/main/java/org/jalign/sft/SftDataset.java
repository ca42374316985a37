package org.jalign.sft;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jalign.data.ChatMessage;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.Shuffling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * SFT data from JSONL to rows: 1 read and validate every line, 2 split train/eval, 3 encode,
 * 4 truncate (dropping what cannot fit), 5 optionally pack.
 *
 * <p>Each line is one of TRL's two formats (extra fields are ignored):
 * <pre>
 *   {"prompt": "The capital of France is", "completion": " Paris."}
 *   {"messages": [{"role": "system", "content": "..."}, {"role": "user", "content": "..."},
 *                 {"role": "assistant", "content": "..."}]}
 * </pre>
 * Roles are {@code system}, {@code user} and {@code assistant}; a conversation must end with the
 * assistant, whose reply is what training teaches.
 */
public final class SftDataset {

    /** What {@link #prepare} made, and what it dropped. */
    public record Prepared(List<SftRow> train, List<SftRow> eval, Counts counts) {
        public Prepared {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }
    }

    /**
     * @param examples          examples read
     * @param truncated         kept after losing prompt tokens to {@code maxLength}
     * @param droppedTooLong    dropped: the reply (and one token before it) exceeds {@code maxLength}
     * @param droppedNoTargets  dropped: nothing to learn (fewer than 2 tokens or no target)
     */
    public record Counts(int examples, int truncated, int droppedTooLong, int droppedNoTargets) {
    }

    /** Examples split into two disjoint lists, each in file order. */
    public record Split(List<SftExample> train, List<SftExample> eval) {
        public Split {
            train = List.copyOf(train);
            eval = List.copyOf(eval);
        }
    }

    private SftDataset() {
    }

    /** Every example of {@code file}; fails at the first bad line with file, line and field. */
    public static List<SftExample> read(Path file) throws IOException {
        try (JsonlReader reader = JsonlReader.open(file)) {
            return read(reader);
        }
    }

    /** Every example {@code reader} yields (possibly none). */
    public static List<SftExample> read(JsonlReader reader) {
        List<SftExample> examples = new ArrayList<>();
        for (JsonlReader.Line line : reader) {
            examples.add(parse(line));
        }
        return examples;
    }

    /** One line as an example. */
    public static SftExample parse(JsonlReader.Line line) {
        JsonObject o = line.object();
        boolean conversational = o.has("messages") && !o.get("messages").isJsonNull();
        boolean promptCompletion = o.has("prompt") || o.has("completion");
        String formats = "{\"prompt\": ..., \"completion\": ...} or {\"messages\": [...]}";
        if (conversational && promptCompletion) {
            throw line.error("the line has both \"messages\" and \"prompt\"/\"completion\"", "one format: " + formats);
        }
        if (!conversational && !promptCompletion) {
            throw line.error("the line has neither \"messages\" nor \"prompt\"/\"completion\"", formats);
        }
        if (promptCompletion) {
            return new SftExample.PromptCompletion(JsonlFields.requireString(line, "prompt"),
                    JsonlFields.requireString(line, "completion"), line.source(), line.lineNumber());
        }
        return new SftExample.Conversation(messages(line), line.source(), line.lineNumber());
    }

    private static List<ChatMessage> messages(JsonlReader.Line line) {
        String expected = "an array of {\"role\", \"content\"} objects";
        JsonElement field = line.object().get("messages");
        if (!field.isJsonArray()) {
            throw line.error("field \"messages\" is " + describe(field), expected);
        }
        JsonArray array = field.getAsJsonArray();
        if (array.isEmpty()) {
            throw line.error("field \"messages\" is empty", expected + " ending with the assistant's reply");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String name = "messages[" + i + "]";
            JsonElement e = array.get(i);
            if (!e.isJsonObject()) {
                throw line.error("field \"" + name + "\" is " + describe(e), "an object {\"role\", \"content\"}");
            }
            String roleName = string(line, e.getAsJsonObject(), name + ".role");
            ChatMessage.Role role = ChatMessage.Role.of(roleName).orElseThrow(() -> line.error(
                    "field \"" + name + ".role\" is \"" + roleName + "\"", "one of system, user, assistant"));
            messages.add(new ChatMessage(role, string(line, e.getAsJsonObject(), name + ".content")));
        }
        ChatMessage.Role last = messages.get(messages.size() - 1).role();
        if (last != ChatMessage.Role.ASSISTANT) {
            throw line.error("field \"messages[" + (messages.size() - 1) + "].role\" is \"" + last.jsonName()
                    + "\" in the last message", "\"assistant\": training needs the conversation to end with the reply");
        }
        return messages;
    }

    /** The string at {@code messages[i].role}/{@code .content}; {@code path} names it in errors. */
    private static String string(JsonlReader.Line line, JsonObject message, String path) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        JsonElement e = message.get(key);
        if (e == null || e.isJsonNull()) {
            throw line.error("field \"" + path + "\" is " + (e == null ? "missing" : "null"), "a string");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw line.error("field \"" + path + "\" is " + describe(e), "a string");
        }
        return e.getAsString();
    }

    /** A short phrase for a JSON value, as JsonlFields words it. */
    private static String describe(JsonElement e) {
        String text = e.toString();
        text = text.length() > 40 ? text.substring(0, 37) + "..." : text;
        if (e.isJsonObject()) {
            return "an object " + text;
        }
        if (e.isJsonArray()) {
            return "an array " + text;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return "a string " + text;
        }
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? "the number " + text : text;
    }

    /**
     * Holds out {@code round(evalFraction · n)} examples, at least one when the fraction is
     * positive and there are two or more, and at most n − 1: a Fisher–Yates shuffle of the
     * indices with {@code java.util.Random(seed)} (an algorithm its Javadoc fixes, so the split is
     * the same on every JVM) decides which. Both parts keep file order.
     */
    public static Split split(List<SftExample> examples, double evalFraction, long seed) {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1), got " + evalFraction);
        }
        int n = examples.size();
        int evalCount = (int) Math.round(evalFraction * n);
        if (evalFraction > 0 && n >= 2) {
            evalCount = Math.max(1, evalCount);
        }
        evalCount = Math.min(evalCount, Math.max(0, n - 1)); // training keeps at least one example
        int[] order = Shuffling.permutation(n, new Random(seed));
        boolean[] isEval = new boolean[n];
        for (int k = 0; k < evalCount; k++) {
            isEval[order[k]] = true;
        }
        List<SftExample> train = new ArrayList<>();
        List<SftExample> eval = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isEval[i] ? eval : train).add(examples.get(i));
        }
        return new Split(train, eval);
    }

    /** Steps 2–5 on examples already read. */
    public static Prepared prepare(List<SftExample> examples, SftEncoder encoder, SftDataOptions options) {
        Split split = split(examples, options.evalFraction(), options.seed());
        int[] counts = new int[3]; // truncated, droppedTooLong, droppedNoTargets
        List<SftRow> train = rows(split.train(), encoder, options, counts);
        List<SftRow> eval = rows(split.eval(), encoder, options, counts);
        return new Prepared(train, eval, new Counts(examples.size(), counts[0], counts[1], counts[2]));
    }

    private static List<SftRow> rows(List<SftExample> examples, SftEncoder encoder, SftDataOptions options, int[] counts) {
        List<SftRow> rows = new ArrayList<>();
        for (SftExample example : examples) {
            SftRow row = encoder.encode(example);
            if (row.length() < 2 || row.targetCount() == 0) {
                counts[2]++;
                continue;
            }
            Optional<SftRow> fitted = row.truncateLeft(options.maxLength(), encoder.bosId());
            if (fitted.isEmpty()) {
                counts[1]++;
                continue;
            }
            counts[0] += fitted.get().length() < row.length() ? 1 : 0;
            rows.add(fitted.get());
        }
        return options.packing() ? SftPacking.pack(rows, options.maxLength()) : rows;
    }
}
