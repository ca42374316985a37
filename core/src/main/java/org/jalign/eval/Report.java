package org.jalign.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jalign.data.AtomicFiles;
import org.jalign.data.JsonlReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation report: one self-contained HTML file (no script, no external file; the curves
 * are inline SVG) and a Markdown twin next to it (curves as data-URI images). From an evaluation
 * run directory ({@code eval compare}'s summary.json, samples.jsonl, manifest.json) and any
 * training runs (their manifest.json and metrics.jsonl):
 * <ol>
 *   <li>the before/after table: every score's mean ± s.e. with its 95% interval, flagged shares
 *       and win rates with their Wilson intervals, KL (k1, k3), length, EOS share, distinct-n;</li>
 *   <li>each training run's curves (the usual fields of its command that it logged);</li>
 *   <li>sample completions side by side;</li>
 *   <li>provenance: every manifest's command, seed, config, versions and input hashes.</li>
 * </ol>
 * Every text that came from a model or a file is escaped ({@link Html#escape}), in the Markdown
 * too (Markdown renderers pass raw HTML through).
 */
public final class Report {

    /** Curves drawn for a training run, when it logged them (ppo, reward, dpo, sft/pretrain). */
    static final List<String> CURVE_FIELDS = List.of("reward_mean", "kl", "kl_k3", "beta", "loss", "eval_loss", "accuracy",
            "eval_accuracy", "margin", "rewards/margins", "rewards/accuracies", "eval_rewards/accuracies", "response_length");

    /** Samples shown by default. */
    public static final int DEFAULT_SAMPLES = 20;

    /** A table of plain-text cells; the renderers escape them. */
    record Table(List<String> header, List<List<String>> rows) {
    }

    /** One training run's curves and manifest. */
    record TrainingCurves(Path dir, JsonObject manifest, String svg, Table lastValues) {
    }

    private static int finiteCount(MetricsLog.Series s) {
        int n = 0;
        for (double v : s.values()) {
            n += Double.isFinite(v) ? 1 : 0;
        }
        return n;
    }

    /** The last finite value of a series and the step it was logged at. */
    private static String lastFinite(MetricsLog.Series s) {
        double[] values = s.values();
        double[] steps = s.steps();
        for (int i = values.length - 1; i >= 0; i--) {
            if (Double.isFinite(values[i])) {
                return String.format(Locale.ROOT, "%.4g (step %s)", values[i], SvgChart.tickLabel(steps[i], 1));
            }
        }
        return "—";
    }

    /** Everything a report shows, read from the run directories. */
    record Contents(Path evalDir, JsonObject manifest, JsonObject summary, Table comparison, List<Table> samples,
                    List<TrainingCurves> runs) {
    }

    private Report() {
    }

    /**
     * Writes {@code html} and its Markdown twin ({@code .md} instead of {@code .html}), each atomically.
     *
     * @return the Markdown file's path
     */
    public static Path write(Path evalRun, List<Path> trainingRuns, Path html) throws IOException {
        return write(evalRun, trainingRuns, html, DEFAULT_SAMPLES);
    }

    /** As {@link #write(Path, List, Path)}, showing at most {@code maxSamples} samples. */
    public static Path write(Path evalRun, List<Path> trainingRuns, Path html, int maxSamples) throws IOException {
        if (maxSamples < 0) {
            throw new IllegalArgumentException("--samples must be >= 0, got " + maxSamples);
        }
        Contents contents = read(evalRun, trainingRuns, maxSamples);
        String name = html.getFileName().toString();
        Path markdown = html.resolveSibling((name.endsWith(".html") ? name.substring(0, name.length() - 5) : name) + ".md");
        Path parent = html.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        AtomicFiles.writeString(html, ReportHtml.render(contents));
        AtomicFiles.writeString(markdown, ReportMarkdown.render(contents));
        return markdown;
    }

    static Contents read(Path evalRun, List<Path> trainingRuns, int maxSamples) throws IOException {
        if (!Files.isDirectory(evalRun)) {
            throw new IOException("evaluation run " + evalRun + " does not exist or is not a directory (eval compare --out DIR)");
        }
        JsonObject manifest = EvaluationRun.readJson(evalRun.resolve("manifest.json"));
        JsonObject summary = EvaluationRun.readJson(evalRun.resolve(EvaluationFiles.SUMMARY));
        List<TrainingCurves> runs = new ArrayList<>();
        for (Path run : trainingRuns) {
            JsonObject runManifest = EvaluationRun.readJson(run.resolve("manifest.json"));
            MetricsLog log = MetricsLog.read(run);
            List<String> numeric = log.numericFields();
            List<MetricsLog.Series> series = new ArrayList<>();
            List<List<String>> last = new ArrayList<>();
            for (String field : numeric) {
                MetricsLog.Series s = log.series(field);
                last.add(List.of(field, lastFinite(s)));
                // a field logged once (a final evaluation) is a number in the table, not a curve
                if (CURVE_FIELDS.contains(field) && finiteCount(s) >= 2) {
                    series.add(s);
                }
            }
            if (series.isEmpty()) {
                numeric.stream().map(log::series).filter(s -> finiteCount(s) >= 2).limit(6).forEach(series::add);
            }
            String command = runManifest.has("command") ? runManifest.get("command").getAsString() : "run";
            runs.add(new TrainingCurves(run, runManifest, series.isEmpty() ? ""
                    : SvgChart.render(series, command + " — " + run.getFileName()),
                    new Table(List.of("metric", "last value"), last)));
        }
        return new Contents(evalRun, manifest, summary, comparison(summary),
                samples(evalRun.resolve(EvaluationFiles.SAMPLES), maxSamples), runs);
    }

    /** Rows = measures, columns = policies (baseline first as the summary lists it). */
    static Table comparison(JsonObject summary) {
        List<JsonObject> policies = new ArrayList<>();
        summary.getAsJsonArray("policies").forEach(p -> policies.add(p.getAsJsonObject()));
        String baseline = summary.get("baseline").getAsString();
        List<String> header = new ArrayList<>();
        header.add("measure");
        for (JsonObject p : policies) {
            header.add(p.get("name").getAsString() + (p.get("baseline").getAsBoolean() ? " (baseline)" : ""));
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonElement scorer : summary.getAsJsonArray("scorers")) {
            String s = scorer.getAsString();
            rows.add(row(s + " (mean ± s.e. [95%])", policies, p -> estimate(p.getAsJsonObject("scores").getAsJsonObject(s))));
            if (policies.get(0).getAsJsonObject("scores").getAsJsonObject(s).has("flagged")) {
                rows.add(row(s + " flagged (share [Wilson 95%])", policies,
                        p -> proportion(p.getAsJsonObject("scores").getAsJsonObject(s).getAsJsonObject("flagged"))));
            }
        }
        List<String> judges = new ArrayList<>();
        for (JsonObject p : policies) {
            p.getAsJsonObject("win_rate").keySet().stream().filter(k -> !judges.contains(k)).forEach(judges::add);
        }
        for (String judge : judges) {
            rows.add(row("win rate vs " + baseline + " by " + judge + " (W/T/L, [Wilson 95%])", policies, p -> {
                JsonObject w = p.getAsJsonObject("win_rate").getAsJsonObject(judge);
                return w == null ? "—" : proportion(w) + " " + w.get("wins").getAsInt() + "/" + w.get("ties").getAsInt()
                        + "/" + w.get("losses").getAsInt();
            }));
        }
        rows.add(row("KL(π‖π_ref) k1 (nats/completion)", policies, p -> estimate(p.getAsJsonObject("kl_k1"))));
        rows.add(row("KL(π‖π_ref) k3 (nats/completion)", policies, p -> estimate(p.getAsJsonObject("kl_k3"))));
        rows.add(row("length (tokens, without EOS)", policies, p -> estimate(p.getAsJsonObject("length"))));
        rows.add(row("ended with EOS", policies, p -> number(p.get("eos_fraction"))));
        rows.add(row("distinct-1", policies, p -> number(p.get("distinct_1"))));
        rows.add(row("distinct-2", policies, p -> number(p.get("distinct_2"))));
        return new Table(header, rows);
    }

    private static List<String> row(String measure, List<JsonObject> policies, java.util.function.Function<JsonObject, String> cell) {
        List<String> row = new ArrayList<>();
        row.add(measure);
        for (JsonObject p : policies) {
            row.add(cell.apply(p));
        }
        return row;
    }

    /** "mean ± se [lower, upper]", or the mean alone when there is no s.e. */
    static String estimate(JsonObject e) {
        if (e == null || e.get("mean").isJsonNull()) {
            return "—";
        }
        if (e.get("se").isJsonNull()) {
            return number(e.get("mean"));
        }
        return number(e.get("mean")) + " ± " + number(e.get("se")) + " [" + number(e.get("lower95")) + ", "
                + number(e.get("upper95")) + "]";
    }

    static String proportion(JsonObject p) {
        if (p == null || p.get("rate").isJsonNull()) {
            return "—";
        }
        return number(p.get("rate")) + " [" + number(p.get("lower95")) + ", " + number(p.get("upper95")) + "]";
    }

    static String number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.4g", e.getAsDouble());
    }

    /** One table per (prompt, sample): the prompt, then each policy's completion and scores. */
    static List<Table> samples(Path file, int max) throws IOException {
        List<Table> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " not found (eval compare writes it)");
        }
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlReader.Line line : reader) {
                if (out.size() >= max) {
                    break;
                }
                JsonObject o = line.object();
                try {
                    List<List<String>> rows = new ArrayList<>();
                    for (Map.Entry<String, JsonElement> c : o.getAsJsonObject("completions").entrySet()) {
                        JsonObject j = c.getValue().getAsJsonObject();
                        StringBuilder scores = new StringBuilder();
                        for (Map.Entry<String, JsonElement> s : j.getAsJsonObject("scores").entrySet()) {
                            scores.append(scores.length() == 0 ? "" : ", ").append(s.getKey()).append(' ').append(number(s.getValue()));
                        }
                        scores.append(scores.length() == 0 ? "" : ", ").append("KL ").append(number(j.get("kl_k1")));
                        rows.add(List.of(c.getKey(), j.get("completion").getAsString() + (j.get("finish_reason").getAsString()
                                .equals("length") ? " …" : ""), scores.toString()));
                    }
                    out.add(new Table(List.of("prompt " + o.get("prompt_index").getAsInt() + " sample "
                            + o.get("sample_index").getAsInt(), o.get("prompt").getAsString(), ""), rows));
                } catch (RuntimeException e) {
                    throw line.error("not a samples line (" + e.getMessage() + ")", "a line written by eval compare");
                }
            }
        }
        return out;
    }

    /** A manifest as indented JSON text (escaped by the renderers). */
    static String pretty(JsonObject manifest) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(manifest);
    }

    static String dataUri(String svg) {
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
    }

    static String now() {
        return Instant.now().toString();
    }
}
