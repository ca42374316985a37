package org.jalign.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.jalign.data.AtomicFiles;
import org.jalign.data.JsonlFields;
import org.jalign.data.JsonlReader;
import org.jalign.data.JsonlWriter;
import org.jalign.lm.GeneratedSequence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files of an evaluation run: {@code summary.json}, {@code samples.jsonl} and each policy's
 * {@code rollouts/NAME.jsonl} (what a resumed run reads back instead of sampling again). Every
 * file is written to a temporary file and renamed into place. Non-finite numbers (a KL without a
 * reference, an s.e. of one value) are written as null: JSON has no NaN.
 */
final class EvaluationFiles {
    static final String SUMMARY = "summary.json";
    static final String SAMPLES = "samples.jsonl";
    static final String ROLLOUTS = "rollouts";

    private EvaluationFiles() {
    }

    static JsonElement number(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }

    static JsonObject estimate(Estimate e) {
        JsonObject o = new JsonObject();
        o.add("mean", number(e.mean()));
        o.add("se", number(e.standardError()));
        o.addProperty("n", e.count());
        o.add("lower95", number(e.lower95()));
        o.add("upper95", number(e.upper95()));
        return o;
    }

    static JsonObject proportion(Proportion p) {
        JsonObject o = new JsonObject();
        o.add("count", number(p.successes()));
        o.addProperty("n", p.trials());
        o.add("rate", number(p.rate()));
        o.add("lower95", number(p.lower95()));
        o.add("upper95", number(p.upper95()));
        o.addProperty("interval", "wilson");
        return o;
    }

    static JsonObject summary(EvaluationResult r, int prompts) {
        JsonObject o = new JsonObject();
        o.addProperty("baseline", r.baseline());
        o.addProperty("prompts", prompts);
        o.add("sampling", r.sampling().toJson());
        JsonArray scorers = new JsonArray();
        r.scorers().forEach(scorers::add);
        o.add("scorers", scorers);
        JsonArray policies = new JsonArray();
        for (EvaluationResult.PolicySummary p : r.policies()) {
            JsonObject j = new JsonObject();
            j.addProperty("name", p.name());
            j.addProperty("baseline", p.name().equals(r.baseline()));
            JsonObject scores = new JsonObject();
            for (EvaluationResult.ScoreSummary s : p.scores()) {
                JsonObject e = estimate(s.score());
                e.addProperty("direction", s.direction().name().toLowerCase(Locale.ROOT));
                if (s.flagged() != null) {
                    e.add("flagged", proportion(s.flagged()));
                }
                scores.add(s.scorer(), e);
            }
            j.add("scores", scores);
            j.add("length", estimate(p.length()));
            j.add("eos_fraction", number(p.eosFraction()));
            j.add("distinct_1", number(p.distinct1()));
            j.add("distinct_2", number(p.distinct2()));
            j.add("kl_k1", estimate(p.klK1()));
            j.add("kl_k3", estimate(p.klK3()));
            JsonObject wins = new JsonObject();
            for (EvaluationResult.JudgedWinRate w : p.winRates()) {
                JsonObject e = proportion(w.winRate().share());
                e.remove("count");
                e.addProperty("wins", w.winRate().wins());
                e.addProperty("ties", w.winRate().ties());
                e.addProperty("losses", w.winRate().losses());
                wins.add(w.judge(), e);
            }
            j.add("win_rate", wins);
            policies.add(j);
        }
        o.add("policies", policies);
        return o;
    }

    static void writeSummary(Path file, EvaluationResult r, int prompts) throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                .toJson(summary(r, prompts)) + "\n");
    }

    static void writeSamples(Path file, EvaluationResult r) throws IOException {
        try (JsonlWriter out = JsonlWriter.open(file)) {
            for (EvaluationResult.Sample s : r.samples()) {
                JsonObject o = new JsonObject();
                o.addProperty("prompt_index", s.promptIndex());
                o.addProperty("sample_index", s.sampleIndex());
                o.addProperty("prompt", s.prompt());
                JsonObject completions = new JsonObject();
                for (EvaluationResult.Completion c : s.completions()) {
                    JsonObject j = new JsonObject();
                    j.addProperty("completion", c.text());
                    j.add("completion_ids", ids(c.ids()));
                    j.addProperty("finish_reason", c.finishedByEos() ? "eos" : "length");
                    JsonObject scores = new JsonObject();
                    for (int k = 0; k < r.scorers().size(); k++) {
                        scores.add(r.scorers().get(k), number(c.scores().get(k)));
                    }
                    j.add("scores", scores);
                    j.add("kl_k1", number(c.klK1()));
                    j.add("kl_k3", number(c.klK3()));
                    completions.add(c.policy(), j);
                }
                o.add("completions", completions);
                out.write(o);
            }
            out.commit();
        }
    }

    private static JsonArray ids(int[] ids) {
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        return a;
    }

    /** One line per completion: ids, text, eos, scores in scorer order, KL. */
    static void writeRollout(Path file, PolicyEvaluation.Rollout r) throws IOException {
        try (JsonlWriter out = JsonlWriter.open(file)) {
            for (int i = 0; i < r.sequences().size(); i++) {
                GeneratedSequence s = r.sequences().get(i);
                JsonObject o = new JsonObject();
                o.addProperty("prompt_index", s.promptIndex());
                o.addProperty("sample_index", s.sampleIndex());
                o.add("prompt_ids", ids(s.promptIds()));
                o.add("completion_ids", ids(s.completionIds()));
                o.addProperty("eos", s.finishedByEos());
                o.addProperty("completion", r.texts().get(i));
                JsonArray scores = new JsonArray();
                for (double[] perScorer : r.scores()) {
                    scores.add(number(perScorer[i]));
                }
                o.add("scores", scores);
                o.add("kl_k1", number(r.klK1()[i]));
                o.add("kl_k3", number(r.klK3()[i]));
                out.write(o);
            }
            out.commit();
        }
    }

    /** Reads back what {@link #writeRollout} wrote (null numbers back to NaN). */
    static PolicyEvaluation.Rollout readRollout(Path file, String name, int scorers) throws IOException {
        List<GeneratedSequence> sequences = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlReader.Line line : reader) {
                JsonObject o = line.object();
                try {
                    sequences.add(new GeneratedSequence(o.get("prompt_index").getAsInt(), o.get("sample_index").getAsInt(),
                            JsonlFields.requireIntArray(line, "prompt_ids"), JsonlFields.requireIntArray(line, "completion_ids"),
                            o.get("eos").getAsBoolean()));
                    texts.add(o.get("completion").getAsString());
                    JsonArray s = o.getAsJsonArray("scores");
                    if (s.size() != scorers) {
                        throw line.error("\"scores\" holds " + s.size() + " values", scorers + " (one per scorer of this run)");
                    }
                    double[] row = new double[scorers + 2];
                    for (int k = 0; k < scorers; k++) {
                        row[k] = orNaN(s.get(k));
                    }
                    row[scorers] = orNaN(o.get("kl_k1"));
                    row[scorers + 1] = orNaN(o.get("kl_k3"));
                    rows.add(row);
                } catch (RuntimeException e) {
                    if (e instanceof org.jalign.data.DataFormatException d) {
                        throw d;
                    }
                    throw line.error("not a rollout line (" + e.getMessage() + ")", "a line written by eval compare");
                }
            }
        }
        int n = rows.size();
        double[][] scores = new double[scorers][n];
        double[] k1 = new double[n];
        double[] k3 = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < scorers; k++) {
                scores[k][i] = rows.get(i)[k];
            }
            k1[i] = rows.get(i)[scorers];
            k3[i] = rows.get(i)[scorers + 1];
        }
        return new PolicyEvaluation.Rollout(name, sequences, texts, scores, k1, k3);
    }

    private static double orNaN(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
