package org.jalign.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.jalign.data.DataFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training run's {@code metrics.jsonl} as {@code run.RunDirectory.openMetrics} keeps it: one
 * object per logged step, with a numeric {@code step} and the trainer's fields (sft/pretrain:
 * loss, lr, grad_norm...; reward: loss, accuracy, margin...; dpo: loss, rewards/...; ppo:
 * reward_mean, kl, kl_k3, beta...; evaluations add eval_* fields on some lines only).
 *
 * <p>Lines are parsed leniently because Gson writes a NaN metric (an undefined explained variance,
 * say) as the bare token {@code NaN}; such values, and {@code Infinity}, are kept as non-finite
 * numbers and drawn as gaps. A line that is not an object, lacks a numeric step, or holds a
 * non-number where a metric is asked for is an error naming the file and line.
 */
public final class MetricsLog {

    /** One metric's points, in file order: {@code values[i]} was logged at {@code steps[i]}. */
    public record Series(String name, double[] steps, double[] values) {
        public Series {
            if (steps.length != values.length) {
                throw new IllegalArgumentException(name + ": " + steps.length + " steps but " + values.length + " values");
            }
            steps = steps.clone();
            values = values.clone();
        }

        @Override
        public double[] steps() {
            return steps.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }
    }

    private record Row(int lineNumber, double step, JsonObject object) {
    }

    private final String source;
    private final List<Row> rows;

    private MetricsLog(String source, List<Row> rows) {
        this.source = source;
        this.rows = List.copyOf(rows);
    }

    /** Reads {@code file}: a metrics.jsonl, or a run directory holding one. */
    public static MetricsLog read(Path file) throws IOException {
        Path path = Files.isDirectory(file) ? file.resolve("metrics.jsonl") : file;
        if (!Files.isRegularFile(path)) {
            throw new IOException("metrics file not found: " + path + " (a run directory of pretrain, sft, reward train, "
                    + "dpo or ppo holds metrics.jsonl)");
        }
        String source = path.toString();
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            String text;
            while (true) {
                try {
                    text = reader.readLine();
                } catch (CharacterCodingException e) {
                    throw new DataFormatException(source, lineNumber + 1, "the bytes are not valid UTF-8", "UTF-8 text");
                }
                if (text == null) {
                    break;
                }
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                JsonElement e;
                try {
                    e = JsonParser.parseString(text);
                } catch (JsonParseException ex) {
                    throw new DataFormatException(source, lineNumber, "not valid JSON", "one JSON object per line");
                }
                if (!e.isJsonObject()) {
                    throw new DataFormatException(source, lineNumber, "the line is not an object", "one JSON object per line");
                }
                JsonObject o = e.getAsJsonObject();
                double step = numberOrNaN(o.get("step"));
                if (!Double.isFinite(step)) {
                    throw new DataFormatException(source, lineNumber, o.has("step") ? "field \"step\" is " + o.get("step")
                            : "field \"step\" is missing", "a numeric \"step\" on every line");
                }
                rows.add(new Row(lineNumber, step, o));
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(source + ": no metrics lines");
        }
        return new MetricsLog(source, rows);
    }

    public String source() {
        return source;
    }

    /** Lines read. */
    public int size() {
        return rows.size();
    }

    /** The fields other than step whose every value is a number, in the order they first appear. */
    public List<String> numericFields() {
        Set<String> seen = new LinkedHashSet<>();
        Set<String> nonNumeric = new LinkedHashSet<>();
        for (Row r : rows) {
            for (Map.Entry<String, JsonElement> e : r.object().entrySet()) {
                if (e.getKey().equals("step")) {
                    continue;
                }
                seen.add(e.getKey());
                if (Double.isNaN(numberOrNaN(e.getValue())) && !isNaNToken(e.getValue())) {
                    nonNumeric.add(e.getKey());
                }
            }
        }
        seen.removeAll(nonNumeric);
        return List.copyOf(seen);
    }

    /** Every line's value of {@code field} (lines without it are skipped). */
    public Series series(String field) {
        List<double[]> points = new ArrayList<>();
        for (Row r : rows) {
            JsonElement e = r.object().get(field);
            if (e == null || e.isJsonNull()) {
                continue;
            }
            double v = numberOrNaN(e);
            if (Double.isNaN(v) && !isNaNToken(e)) {
                throw new DataFormatException(source, r.lineNumber(), "field \"" + field + "\" is " + e, "a number");
            }
            points.add(new double[] {r.step(), v});
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(source + " has no field \"" + field + "\"; its numeric fields are "
                    + numericFields());
        }
        double[] steps = new double[points.size()];
        double[] values = new double[points.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = points.get(i)[0];
            values[i] = points.get(i)[1];
        }
        return new Series(field, steps, values);
    }

    /** A JSON number, or the bare NaN/Infinity tokens Gson writes (read back as strings), else NaN. */
    private static double numberOrNaN(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) {
            return Double.NaN;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isNumber()) {
            return p.getAsDouble();
        }
        if (p.isString()) {
            return switch (p.getAsString()) {
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.NaN;
            };
        }
        return Double.NaN;
    }

    private static boolean isNaNToken(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) {
            return false;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isString() && p.getAsString().equals("NaN") || p.isNumber() && Double.isNaN(p.getAsDouble());
    }
}
