package org.jalign.eval;

import org.jalign.data.DataFormatException;
import org.jalign.lm.GeneratedSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Metrics files, SVG geometry worked by hand, and the report's escaping. */
class ChartAndReportTest {

    private static List<String> polylines(String svg) {
        Matcher m = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"").matcher(svg);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void pointsAreTheMetricsMappedByTheAxisFormula(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"step": 1, "reward_mean": 0.0, "note": "warmup"}
                {"step": 2, "reward_mean": 2.5}
                {"step": 3, "reward_mean": 5}

                {"step": 4, "reward_mean": 7.5}
                {"step": 5, "reward_mean": 10}
                """);
        MetricsLog log = MetricsLog.read(dir);
        assertThat(log.numericFields()).containsExactly("reward_mean");
        String svg = SvgChart.render(List.of(log.series("reward_mean")), null);
        // x: steps 1..5; nice(4) = 5, tick step nice(5/4 = 1.25) = 1, axis [1, 5]
        //    x = 72 + (s − 1)/4 · (624 − 72) = 72, 210, 348, 486, 624
        // y: values 0..10; nice(10) = 10, tick step nice(10/4 = 2.5) = 2, axis [0, 10]
        //    y = 212 − v/10 · (212 − 36) = 212, 168, 124, 80, 36
        assertThat(polylines(svg)).containsExactly("72.00,212.00 210.00,168.00 348.00,124.00 486.00,80.00 624.00,36.00");
        for (String tick : List.of(">0<", ">2<", ">4<", ">6<", ">8<", ">10<")) {
            assertThat(svg).contains(tick);
        }
        assertThat(svg).contains(">step<").contains(">reward_mean<").startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"");
    }

    @Test
    void aNaNBreaksTheLineAndALonePointIsMarked(@TempDir Path dir) throws IOException {
        // Gson writes an undefined metric as the bare token NaN
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"step": 10, "loss": 1}
                {"step": 20, "loss": NaN}
                {"step": 30, "loss": 3}
                {"step": 40, "loss": 4}
                """);
        MetricsLog.Series loss = MetricsLog.read(dir.resolve("metrics.jsonl")).series("loss");
        assertThat(loss.values()[1]).isNaN();
        String svg = SvgChart.render(List.of(loss), "run");
        // x axis [10, 40] (nice(30) = 50, step nice(12.5) = 10); y axis [1, 4] (nice(3) = 5, step nice(1.25) = 1)
        // (30, 3): x = 72 + 20/30 · 552 = 440, y = 212 − 2/3 · 176 = 94.67; (40, 4): 624, 36; (10, 1) alone: 72, 212
        // the panel sits below the 28-pixel title, so the points are in a group translated by 28
        assertThat(polylines(svg)).containsExactly("440.00,94.67 624.00,36.00");
        assertThat(svg).contains("<circle cx=\"72.00\" cy=\"212.00\"").contains("translate(0,28)");
    }

    @Test
    void niceTicksAndLabels() {
        SvgChart.Axis a = SvgChart.niceAxis(0.13, 0.92);   // nice(0.79) = 1, step nice(0.25) = 0.2: [0, 1]
        assertThat(a.min()).isEqualTo(0.0);
        assertThat(a.max()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(a.ticks()).hasSize(6);
        assertThat(SvgChart.tickLabel(0.25, 0.05)).isEqualTo("0.25");
        assertThat(SvgChart.tickLabel(1500, 500)).isEqualTo("1500");
        assertThat(SvgChart.tickLabel(-0.0, 1)).isEqualTo("0");
        assertThat(SvgChart.tickLabel(4.2e-7, 2e-8)).isEqualTo("4.2E-7");
        assertThat(SvgChart.tickLabel(2.5e6, 5e5)).isEqualTo("2.5E+6");
        SvgChart.Axis flat = SvgChart.niceAxis(3, 3);      // one value: ±10% around it, [2.7, 3.3] widened to nice ticks
        assertThat(flat.min()).isLessThan(3);
        assertThat(flat.max()).isGreaterThan(3);
    }

    @Test
    void badMetricsFilesNameTheFileLineAndField(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> MetricsLog.read(dir.resolve("missing")))
                .isInstanceOf(IOException.class).hasMessageContaining("metrics file not found").hasMessageContaining("missing");
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\": 1, \"loss\": 2}\n{\"step\": 2, \"loss\": \"high\"}\n");
        MetricsLog log = MetricsLog.read(file);
        assertThat(log.numericFields()).isEmpty();
        assertThatThrownBy(() -> log.series("loss")).isInstanceOf(DataFormatException.class)
                .hasMessage(file + " line 2: field \"loss\" is \"high\"; expected a number");
        assertThatThrownBy(() -> log.series("kl")).hasMessageContaining("has no field \"kl\"");
        Files.writeString(file, "{\"step\": 1, \"loss\": 2}\n\n{\"step\": 2, \"loss\": \n");
        assertThatThrownBy(() -> MetricsLog.read(file)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + " line 3: not valid JSON");
        Files.writeString(file, "{\"loss\": 2}\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining("line 1: field \"step\" is missing");
        Files.writeString(file, "");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining("no metrics lines");
    }

    @Test
    void theReportEscapesModelTextAndEmbedsTheCurves(@TempDir Path dir) throws IOException {
        // an evaluation run written through the same files eval compare writes, with hostile text
        Path eval = dir.resolve("eval");
        Files.createDirectories(eval);
        Files.writeString(eval.resolve("manifest.json"), "{\"command\": \"eval compare\", \"seed\": 42, "
                + "\"config\": {\"policies\": [{\"name\": \"after\", \"dir\": \"runs/<b>ppo</b>\"}]}}");
        String hostile = "<script>alert('x')</script> & <img src=x onerror=alert(1)>";
        List<GeneratedSequence> sequences = List.of(new GeneratedSequence(0, 0, new int[] {1}, new int[] {5, 2}, true),
                new GeneratedSequence(1, 0, new int[] {1}, new int[] {6}, false));
        PolicyEvaluation.Rollout before = new PolicyEvaluation.Rollout("before", sequences, List.of("fine", "also fine"),
                new double[][] {{0.1, 0.2}}, new double[] {0, 0}, new double[] {0, 0});
        PolicyEvaluation.Rollout after = new PolicyEvaluation.Rollout("after", sequences, List.of(hostile, "ok | pipe"),
                new double[][] {{0.9, 0.2}}, new double[] {0.5, 0.7}, new double[] {0.4, 0.6});
        List<PolicyEvaluation.EvaluationPrompt> prompts = List.of(new PolicyEvaluation.EvaluationPrompt("say <hi>", new int[] {1}),
                new PolicyEvaluation.EvaluationPrompt("two", new int[] {1}));
        EvaluationResult result = PolicyEvaluation.compare("before", List.of(before, after), prompts,
                List.of(Scorer.reward("reward", (p, c) -> new float[p.size()])), List.of(), new SamplingSettings(1, 4, 1, 1, 1));
        EvaluationFiles.writeSummary(eval.resolve(EvaluationFiles.SUMMARY), result, 2);
        EvaluationFiles.writeSamples(eval.resolve(EvaluationFiles.SAMPLES), result);
        Path training = dir.resolve("ppo");
        Files.createDirectories(training);
        Files.writeString(training.resolve("manifest.json"), "{\"command\": \"ppo\", \"seed\": 7, \"versions\": {\"jalign\": \"x\"}}");
        Files.writeString(training.resolve("metrics.jsonl"), "{\"step\": 1, \"reward_mean\": 0, \"kl\": 0}\n"
                + "{\"step\": 2, \"reward_mean\": 1, \"kl\": 0.5}\n");

        Path html = dir.resolve("out/report.html");
        Path markdown = Report.write(eval, List.of(training), html);
        String page = Files.readString(html);
        assertThat(page).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>ppo")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;")
                .contains("say &lt;hi&gt;").contains("runs/&lt;b&gt;ppo&lt;/b&gt;");
        // the table: reward 0.9 vs 0.1 on prompt 0 and a tie on prompt 1 -> after wins 1.5 of 2
        assertThat(page).contains("win rate vs before by reward").contains("0.7500").contains("1/1/0");
        // the curves inline: two panels, reward_mean and kl
        assertThat(page).contains("<svg").contains(">reward_mean<").contains(">kl<");
        assertThat(polylines(page)).hasSize(2);
        String md = Files.readString(markdown);
        assertThat(markdown.getFileName().toString()).isEqualTo("report.md");
        assertThat(md).doesNotContain("<script").doesNotContain("<img").contains("&lt;script&gt;")
                .contains("ok \\| pipe").contains("data:image/svg+xml;base64,");
        // bad input: an evaluation directory without summary.json
        Files.delete(eval.resolve(EvaluationFiles.SUMMARY));
        assertThatThrownBy(() -> Report.write(eval, List.of(), html)).hasMessageContaining("summary.json not found");
    }
}
