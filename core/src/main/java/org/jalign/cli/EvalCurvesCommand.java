package org.jalign.cli;

import org.jalign.eval.MetricsLog;
import org.jalign.eval.SvgChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jalign eval curves}: a run's metrics against the step, as one SVG. */
@Command(name = "curves", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws numeric fields of a run's metrics.jsonl against the step as one",
            "self-contained SVG, a panel per metric (axes, nice ticks, grid, labels).", ""})
final class EvalCurvesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory (or its metrics.jsonl).")
    Path run;

    @Option(names = "--metric", paramLabel = "NAME", description = "A field to draw; repeat for more (default: every numeric field).")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE.svg", description = "The SVG to write (atomically).")
    Path out;

    @Override
    public Integer call() throws Exception {
        MetricsLog log = MetricsLog.read(run);
        List<String> fields = metrics.isEmpty() ? log.numericFields() : metrics;
        if (fields.isEmpty()) {
            throw new CliFailure(log.source() + " has no numeric field besides step");
        }
        List<MetricsLog.Series> series = new ArrayList<>();
        for (String f : fields) {
            try {
                series.add(log.series(f));
            } catch (IllegalArgumentException e) {
                throw new CliFailure(e.getMessage());
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        if (!java.nio.file.Files.isDirectory(parent)) {
            throw new CliFailure("output directory " + parent + " does not exist");
        }
        SvgChart.write(out, series, run.toString());
        spec.commandLine().getOut().println("eval curves: " + series.size() + " metric" + (series.size() == 1 ? "" : "s")
                + " from " + log.size() + " lines; written to " + out);
        return 0;
    }
}
