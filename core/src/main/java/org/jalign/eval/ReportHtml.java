package org.jalign.eval;

import com.google.gson.JsonObject;

import java.util.List;

/** {@link Report}'s HTML rendering: one file, inline CSS and SVG, no script; all text escaped. */
final class ReportHtml {
    private ReportHtml() {
    }

    private static final String STYLE = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
            + "color:#222}table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;"
            + "vertical-align:top;text-align:left}th{background:#f3f3f3}td.text{white-space:pre-wrap;font-family:monospace}"
            + "pre{background:#f7f7f7;padding:8px;overflow-x:auto;white-space:pre-wrap}.note{color:#666;font-size:90%}";

    static String render(Report.Contents c) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>jalign evaluation report</title>\n<style>").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<h1>Evaluation report</h1>\n<p class=\"note\">Evaluation run ").append(Html.escape(c.evalDir().toString()))
                .append(", report written ").append(Html.escape(Report.now())).append(".</p>\n");
        JsonObject sampling = c.summary().getAsJsonObject("sampling");
        h.append("<h2>Before vs after</h2>\n<p class=\"note\">").append(c.summary().get("prompts").getAsInt())
                .append(" prompts × ").append(Html.escape(sampling.get("samplesPerPrompt").toString()))
                .append(" samples, temperature ").append(Html.escape(sampling.get("temperature").toString()))
                .append(", at most ").append(Html.escape(sampling.get("maxNewTokens").toString()))
                .append(" new tokens, seed ").append(Html.escape(sampling.get("seed").toString()))
                .append(". Means ± standard error with a normal 95% interval; shares with the 95% Wilson score interval; "
                        + "a win rate counts a tie as half a win. KL is estimated from each policy's own samples "
                        + "(Schulman's k1 and k3, summed over a completion's tokens).</p>\n");
        table(h, c.comparison(), false);
        if (!c.runs().isEmpty()) {
            h.append("<h2>Training curves</h2>\n");
            for (Report.TrainingCurves r : c.runs()) {
                h.append("<h3>").append(Html.escape(r.dir().toString())).append("</h3>\n");
                h.append(r.svg().isEmpty() ? "<p>No numeric metric.</p>\n" : "<figure>\n" + r.svg() + "</figure>\n");
                h.append("<details><summary>Last logged values</summary>\n");
                table(h, r.lastValues(), false);
                h.append("</details>\n");
            }
        }
        h.append("<h2>Samples</h2>\n");
        if (c.samples().isEmpty()) {
            h.append("<p>None shown.</p>\n");
        }
        for (Report.Table t : c.samples()) {
            h.append("<h3>").append(Html.escape(t.header().get(0))).append("</h3>\n<pre>")
                    .append(Html.escape(t.header().get(1))).append("</pre>\n");
            table(h, new Report.Table(List.of("policy", "completion", "scores"), t.rows()), true);
        }
        h.append("<h2>Provenance</h2>\n<h3>Evaluation: ").append(Html.escape(c.evalDir().toString())).append("</h3>\n<pre>")
                .append(Html.escape(Report.pretty(c.manifest()))).append("</pre>\n");
        for (Report.TrainingCurves r : c.runs()) {
            h.append("<h3>Training: ").append(Html.escape(r.dir().toString())).append("</h3>\n<pre>")
                    .append(Html.escape(Report.pretty(r.manifest()))).append("</pre>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** A table; with {@code textColumn}, column 1 holds model text shown as preformatted. */
    private static void table(StringBuilder h, Report.Table t, boolean textColumn) {
        h.append("<table>\n<tr>");
        for (String cell : t.header()) {
            h.append("<th>").append(Html.escape(cell)).append("</th>");
        }
        h.append("</tr>\n");
        for (List<String> row : t.rows()) {
            h.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                h.append(textColumn && i == 1 ? "<td class=\"text\">" : "<td>").append(Html.escape(row.get(i))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }
}
