package org.jalign.eval;

import java.util.List;

/**
 * {@link Report}'s Markdown twin. Cells are HTML-escaped (renderers pass raw HTML through, so a
 * completion's {@code <script>} must become text), pipes and backslashes escaped for tables, and
 * line breaks written as {@code <br>}.
 */
final class ReportMarkdown {
    private ReportMarkdown() {
    }

    static String render(Report.Contents c) {
        StringBuilder m = new StringBuilder();
        m.append("# Evaluation report\n\nEvaluation run `").append(code(c.evalDir().toString())).append("`, report written ")
                .append(Report.now()).append(".\n\n## Before vs after\n\n")
                .append("Means ± standard error with a normal 95% interval; shares with the 95% Wilson score interval; "
                        + "a win rate counts a tie as half a win. KL is estimated from each policy's own samples "
                        + "(Schulman's k1 and k3, summed over a completion's tokens).\n\n");
        table(m, c.comparison());
        if (!c.runs().isEmpty()) {
            m.append("## Training curves\n\n");
            for (Report.TrainingCurves r : c.runs()) {
                m.append("### ").append(cell(r.dir().toString())).append("\n\n");
                m.append(r.svg().isEmpty() ? "No numeric metric.\n\n" : "![curves](" + Report.dataUri(r.svg()) + ")\n\n");
                m.append("Last logged values:\n\n");
                table(m, r.lastValues());
            }
        }
        m.append("## Samples\n\n");
        for (Report.Table t : c.samples()) {
            m.append("### ").append(cell(t.header().get(0))).append("\n\n").append(cell(t.header().get(1))).append("\n\n");
            table(m, new Report.Table(List.of("policy", "completion", "scores"), t.rows()));
        }
        m.append("## Provenance\n\n### Evaluation\n\n<pre>").append(Html.escape(Report.pretty(c.manifest()))).append("</pre>\n\n");
        for (Report.TrainingCurves r : c.runs()) {
            m.append("### Training: ").append(cell(r.dir().toString())).append("\n\n<pre>")
                    .append(Html.escape(Report.pretty(r.manifest()))).append("</pre>\n\n");
        }
        return m.toString();
    }

    private static void table(StringBuilder m, Report.Table t) {
        m.append('|');
        for (String h : t.header()) {
            m.append(' ').append(cell(h)).append(" |");
        }
        m.append("\n|");
        t.header().forEach(h -> m.append("---|"));
        m.append('\n');
        for (List<String> row : t.rows()) {
            m.append('|');
            for (String cell : row) {
                m.append(' ').append(cell(cell)).append(" |");
            }
            m.append('\n');
        }
        m.append('\n');
    }

    /** Text safe in a Markdown table cell or paragraph. */
    static String cell(String text) {
        // Markdown's own characters first, then HTML (whose entities, like &#39;, hold a '#')
        String markdown = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`").replace("*", "\\*")
                .replace("_", "\\_").replace("[", "\\[").replace("]", "\\]").replace("#", "\\#");
        String escaped = Html.escape(markdown);
        return escaped.replace("\r\n", "\n").replace("\n", "<br>");
    }

    private static String code(String text) {
        return text.replace("`", "'");
    }
}
